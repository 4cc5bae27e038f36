/* publisher._flatten: the Swedish reader's XSLT flattening (publisher/extract/sv_html.py,
 * _XSLT_SOURCE) as one walk of the libxml2 tree lxml has parsed.
 *
 * flatten(element) -> bytes gives exactly what the stylesheet gives for the same element
 * (tests/test_flatten.py compares the two on every HTML document of the tests and on random
 * trees): the text in document order with the private-use marks of sv_html (block
 * boundaries, cells, <pre> lines, bold ends, links, alt texts, rules) in UTF-8. The
 * stylesheet stays the reference and the fallback (no compiler, another lxml); this walk
 * does without libxslt's per-node template matching and per-row XPath, most of the cost of
 * flattening a page.
 *
 * Only lxml's public element layout (etreepublic.pxd: _doc, then _c_node) and libxml2's node
 * structures are used, read-only and with the GIL held; nothing of libxml2 is called. Only
 * lxml elements of HTML documents are taken (an XML document may hold entity references the
 * walk would not expand: TypeError, and sv_html runs the stylesheet); the element keeps its
 * document alive. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include <libxml/tree.h>

#include "lxml-version.h"

/* lxml's public struct LxmlElement (lxml/etree.h): the node pointer follows the document */
typedef struct {
    PyObject_HEAD
    PyObject *doc;
    xmlNode *c_node;
} Element;

/* The marks of sv_html in UTF-8 (U+E000-U+E016: EE 80 80-96) */
#define MARK(code) "\xee\x80" code
#define LINK_OPEN MARK("\x80")
#define LINK_TEXT MARK("\x81")
#define LINK_CLOSE MARK("\x82")
#define BREAK MARK("\x90")
#define CELL MARK("\x91")
#define PRE MARK("\x92")
#define BOLD_END MARK("\x93")
#define ALT_OPEN MARK("\x94")
#define ALT_CLOSE MARK("\x95")
#define RULE MARK("\x96")

/* a limit like libxslt's template depth (3000): refused as MalformedDocument, as libxslt's
 * is (within a few levels of it; parsed HTML stops at 255) */
#define MAX_DEPTH 3000

typedef struct {
    char *data;
    size_t length;
    size_t size;
    int failed;
} Buffer;

static void
put(Buffer *out, const char *text, size_t length)
{
    if (out->failed || length == 0) {
        return;
    }
    if (out->length + length > out->size) {
        size_t size = out->size ? out->size : 4096;
        while (size < out->length + length) {
            if (size > ((size_t)PY_SSIZE_T_MAX) / 2) {
                out->failed = 1;
                return;
            }
            size *= 2;
        }
        char *grown = PyMem_Realloc(out->data, size);
        if (grown == NULL) {
            out->failed = 1;
            return;
        }
        out->data = grown;
        out->size = size;
    }
    memcpy(out->data + out->length, text, length);
    out->length += length;
}

static void
puts_(Buffer *out, const char *text)
{
    put(out, text, strlen(text));
}

enum Mode { DEFAULT, CELL_MODE, PRE_MODE };

/* ---- what the stylesheet's patterns ask of a node ---- */

static int
named(const xmlNode *node, const char *name)
{
    /* (the first letters compared inline: most names differ there, and strcmp is a call) */
    return node->type == XML_ELEMENT_NODE && node->ns == NULL && node->name != NULL
           && node->name[0] == (xmlChar)name[0] && strcmp((const char *)node->name, name) == 0;
}

static int
named_any(const xmlNode *node, const char *const *names)
{
    for (; *names; names++) {
        if (named(node, *names)) {
            return 1;
        }
    }
    return 0;
}

static const xmlAttr *
attribute(const xmlNode *node, const char *name)
{
    for (const xmlAttr *attr = node->properties; attr; attr = attr->next) {
        if (attr->ns == NULL && attr->name && strcmp((const char *)attr->name, name) == 0) {
            return attr;
        }
    }
    return NULL;
}

/* An attribute's string value (its text children joined), into a scratch buffer */
static const char *
attribute_value(const xmlAttr *attr, Buffer *scratch)
{
    scratch->length = 0;
    for (const xmlNode *child = attr->children; child; child = child->next) {
        if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
            && child->content) {
            puts_(scratch, (const char *)child->content);
        }
    }
    put(scratch, "", 1);  /* the terminating NUL, counted out again below */
    if (scratch->failed) {
        return NULL;
    }
    scratch->length--;
    return scratch->data;
}

static void
put_attribute(Buffer *out, const xmlAttr *attr)
{
    for (const xmlNode *child = attr->children; child; child = child->next) {
        if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
            && child->content) {
            puts_(out, (const char *)child->content);
        }
    }
}

typedef enum { EQUALS, CONTAINS, STARTS } Test;

static int
attribute_is(const xmlNode *node, const char *name, Test test, const char *value,
             Buffer *scratch)
{
    const xmlAttr *attr = attribute(node, name);
    if (attr == NULL) {
        return 0;
    }
    const char *text = attribute_value(attr, scratch);
    if (text == NULL) {
        return 0;
    }
    switch (test) {
    case EQUALS:
        return strcmp(text, value) == 0;
    case CONTAINS:
        return strstr(text, value) != NULL;
    case STARTS:
        return strncmp(text, value, strlen(value)) == 0;
    }
    return 0;
}

static const xmlNode *
first_element_child(const xmlNode *node, const char *name)
{
    for (const xmlNode *child = node->children; child; child = child->next) {
        if (named(child, name)) {
            return child;
        }
    }
    return NULL;
}

/* div[p[1]/a[starts-with(@href, prefix)]] */
static int
first_paragraph_links_to(const xmlNode *div, const char *prefix, Buffer *scratch)
{
    const xmlNode *p = first_element_child(div, "p");
    if (p == NULL) {
        return 0;
    }
    for (const xmlNode *child = p->children; child; child = child->next) {
        if (named(child, "a") && attribute_is(child, "href", STARTS, prefix, scratch)) {
            return 1;
        }
    }
    return 0;
}

/* _WORD_COMMENTS */
static int
is_comment(const xmlNode *node, Buffer *scratch)
{
    if (named(node, "div")) {
        return attribute_is(node, "class", EQUALS, "msocomtxt", scratch)
               || attribute_is(node, "style", CONTAINS, "mso-element:comment", scratch)
               || first_paragraph_links_to(node, "#cmnt_ref", scratch);
    }
    if (named(node, "a")) {
        return attribute_is(node, "class", EQUALS, "msocomanchor", scratch)
               || attribute_is(node, "href", STARTS, "#cmnt", scratch);
    }
    if (named(node, "span")) {
        return attribute_is(node, "class", EQUALS, "MsoCommentReference", scratch);
    }
    return 0;
}

/* _NOTES */
static int
is_note(const xmlNode *node, Buffer *scratch)
{
    if (named(node, "hr")) {
        return 1;
    }
    if (named(node, "div")) {
        return attribute_is(node, "role", EQUALS, "doc-endnotes", scratch)
               || attribute_is(node, "class", EQUALS, "footnotes", scratch)
               || attribute_is(node, "style", CONTAINS, "mso-element:footnote-list", scratch)
               || attribute_is(node, "style", CONTAINS, "mso-element:endnote-list", scratch)
               || first_paragraph_links_to(node, "#ftnt_ref", scratch);
    }
    if (named(node, "section")) {
        return attribute_is(node, "role", EQUALS, "doc-endnotes", scratch);
    }
    if (named(node, "aside")) {
        return attribute_is(node, "role", EQUALS, "doc-footnote", scratch)
               || attribute_is(node, "role", EQUALS, "doc-endnote", scratch);
    }
    if (named(node, "ol")) {
        return attribute_is(node, "class", EQUALS, "footnotes", scratch);
    }
    return 0;
}

static const char *const SKIP[] = {
    "head", "title", "nav", "select", "option", "button", "textarea", "template", "noscript",
    "script", "style", NULL,
};

static const char *const BLOCKS[] = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "section", "article", "header", "footer", "main", "aside", "blockquote", "address",
    "figure", "figcaption", "hr", "table", "caption", "thead", "tbody", "tfoot", "form",
    "fieldset", "legend", "center", "details", "summary", "body", "html", NULL,
};

/* abbr[@title]|span[@aria-label]|i[@aria-label]|img[@title] (priority -0.1) */
static int
is_labelled(const xmlNode *node)
{
    return (named(node, "abbr") && attribute(node, "title"))
           || ((named(node, "span") || named(node, "i")) && attribute(node, "aria-label"))
           || (named(node, "img") && attribute(node, "title"));
}

/* ---- output ---- */

static void
put_text(Buffer *out, const xmlNode *node, enum Mode mode)
{
    const char *text = (const char *)node->content;
    if (text == NULL) {
        return;
    }
    if (mode != PRE_MODE) {
        puts_(out, text);
        return;
    }
    /* translate(., '&#10;&#9;', '&#xE012;&#xE011;') */
    const char *start = text;
    for (const char *c = text; *c; c++) {
        if (*c == '\n' || *c == '\t') {
            put(out, start, (size_t)(c - start));
            puts_(out, *c == '\n' ? PRE : CELL);
            start = c + 1;
        }
    }
    puts_(out, start);
}

/* The next node after `node` in document order within the subtree of `root` (elements are
 * entered, other nodes' children never): a walk without recursion, whatever the depth. */
static const xmlNode *
next_in(const xmlNode *root, const xmlNode *node)
{
    if (node->type == XML_ELEMENT_NODE && node->children) {
        return node->children;
    }
    while (node != root && node->next == NULL) {
        node = node->parent;
    }
    return node == root ? NULL : node->next;
}

/* the string value of a node: all its text, in document order */
static void
put_string_value(Buffer *out, const xmlNode *node)
{
    for (const xmlNode *at = node->children; at; at = next_in(node, at)) {
        if ((at->type == XML_TEXT_NODE || at->type == XML_CDATA_SECTION_NODE) && at->content) {
            puts_(out, (const char *)at->content);
        }
    }
}

/* the first <title> below a node, in document order (value-of select=".//title") */
static const xmlNode *
first_title(const xmlNode *node)
{
    for (const xmlNode *at = node->children; at; at = next_in(node, at)) {
        if (named(at, "title")) {
            return at;
        }
    }
    return NULL;
}

typedef struct {
    Buffer out;
    Buffer scratch;
    int too_deep;
} Walk;

static void node_(Walk *walk, const xmlNode *node, enum Mode mode, int depth);

static void
children(Walk *walk, const xmlNode *node, enum Mode mode, int depth)
{
    if (depth > MAX_DEPTH) {
        walk->too_deep = 1;
        return;
    }
    for (const xmlNode *child = node->children; child && !walk->too_deep; child = child->next) {
        node_(walk, child, mode, depth + 1);
    }
}

static void
alt(Walk *walk, const xmlAttr *attr)
{
    puts_(&walk->out, ALT_OPEN);
    if (attr) {
        put_attribute(&walk->out, attr);
    }
    puts_(&walk->out, ALT_CLOSE);
}

static void
put_link(Walk *walk, const xmlNode *node, enum Mode mode, int depth)
{
    puts_(&walk->out, LINK_OPEN);
    put_attribute(&walk->out, attribute(node, "href"));
    puts_(&walk->out, LINK_TEXT "\n ");
    children(walk, node, mode, depth);
    puts_(&walk->out, LINK_CLOSE);
}

static void
svg(Walk *walk, const xmlNode *node)
{
    puts_(&walk->out, ALT_OPEN);
    const xmlNode *title = first_title(node);
    if (title) {
        put_string_value(&walk->out, title);
    }
    puts_(&walk->out, ALT_CLOSE);
}

/* value-of select="@title|@aria-label": the first of the two in document order */
static void
labelled(Walk *walk, const xmlNode *node, enum Mode mode, int depth)
{
    const xmlAttr *label = NULL;
    for (const xmlAttr *attr = node->properties; attr && !label; attr = attr->next) {
        if (attr->ns == NULL && attr->name
            && (strcmp((const char *)attr->name, "title") == 0
                || strcmp((const char *)attr->name, "aria-label") == 0)) {
            label = attr;
        }
    }
    alt(walk, label);
    children(walk, node, mode, depth);
}

/* td|th children of a row */
static int
is_cell(const xmlNode *node)
{
    return named(node, "td") || named(node, "th");
}

/* <xsl:template match="tr">: a row of two or more plain cells is one line, cells apart;
 * any other row is a block per cell */
static void
row(Walk *walk, const xmlNode *tr, int depth)
{
    int cells = 0;
    int plain = 1;
    for (const xmlNode *cell = tr->children; cell; cell = cell->next) {
        if (!is_cell(cell)) {
            continue;
        }
        cells++;
        int elements = 0;
        for (const xmlNode *child = cell->children; child; child = child->next) {
            if (child->type == XML_ELEMENT_NODE) {
                elements++;
                if (elements > 1 || named(child, "table")) {
                    plain = 0;
                }
            }
        }
    }
    if (cells > 1 && plain) {
        puts_(&walk->out, BREAK);
        int position = 0;
        for (const xmlNode *cell = tr->children; cell; cell = cell->next) {
            if (is_cell(cell)) {
                if (position++ > 0) {
                    puts_(&walk->out, CELL);
                }
                children(walk, cell, CELL_MODE, depth + 1);
            }
        }
        puts_(&walk->out, BREAK);
        return;
    }
    for (const xmlNode *cell = tr->children; cell; cell = cell->next) {
        if (is_cell(cell)) {
            puts_(&walk->out, "\n   " BREAK);
            children(walk, cell, DEFAULT, depth + 1);
            puts_(&walk->out, BREAK);
        }
    }
}

/* The templates of every mode that outrank the rest: comments (priority 2, nothing), then an
 * image's alt text and a link (0.5). True when one of them took the node. */
static int
common(Walk *walk, const xmlNode *node, enum Mode mode, int depth)
{
    if (is_comment(node, &walk->scratch)) {
        return 1;
    }
    const xmlAttr *alt_text;
    if (named(node, "img") && (alt_text = attribute(node, "alt"))) {
        alt(walk, alt_text);
        return 1;
    }
    if (named(node, "a") && attribute(node, "href")) {
        put_link(walk, node, mode, depth);
        return 1;
    }
    return 0;
}

static void
element_default(Walk *walk, const xmlNode *node, int depth)
{
    Buffer *out = &walk->out;
    if (is_note(node, &walk->scratch) && !is_comment(node, &walk->scratch)) {
        puts_(out, BREAK RULE BREAK);
        children(walk, node, DEFAULT, depth);
        puts_(out, BREAK);
        return;
    }
    if (common(walk, node, DEFAULT, depth)) {
        return;
    }
    if (named_any(node, SKIP)) {
        return;
    }
    if (named_any(node, BLOCKS)) {
        puts_(out, BREAK);
        children(walk, node, DEFAULT, depth);
        puts_(out, BREAK);
        return;
    }
    if (named(node, "br")) {
        puts_(out, BREAK);
        return;
    }
    if (named(node, "b") || named(node, "strong")) {
        children(walk, node, DEFAULT, depth);
        puts_(out, BOLD_END);
        return;
    }
    if (named(node, "sup") || named(node, "sub")) {
        puts_(out, " ");
        children(walk, node, DEFAULT, depth);
        return;
    }
    if (named(node, "svg")) {
        svg(walk, node);
        return;
    }
    if (named(node, "pre")) {
        puts_(out, BREAK PRE);
        children(walk, node, PRE_MODE, depth);
        puts_(out, BREAK);
        return;
    }
    if (named(node, "tr")) {
        row(walk, node, depth);
        return;
    }
    if (is_labelled(node)) {
        labelled(walk, node, DEFAULT, depth);
        return;
    }
    children(walk, node, DEFAULT, depth);  /* the built-in template */
}

/* mode="cell" and mode="pre" differ only in a few templates */
static void
element_inline(Walk *walk, const xmlNode *node, enum Mode mode, int depth)
{
    if (common(walk, node, mode, depth)) {
        return;
    }
    if (mode == CELL_MODE) {
        if (named_any(node, SKIP)) {
            return;
        }
        if (named(node, "br") || named(node, "sup") || named(node, "sub")) {
            puts_(&walk->out, " ");
            children(walk, node, mode, depth);
            return;
        }
    }
    else if (named(node, "br")) {
        puts_(&walk->out, PRE);
        return;
    }
    if (named(node, "svg")) {
        svg(walk, node);
        return;
    }
    if (is_labelled(node)) {
        labelled(walk, node, mode, depth);
        return;
    }
    children(walk, node, mode, depth);  /* match="*" */
}

static void
node_(Walk *walk, const xmlNode *node, enum Mode mode, int depth)
{
    switch (node->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        put_text(&walk->out, node, mode);
        break;
    case XML_ELEMENT_NODE:
        if (mode == DEFAULT) {
            element_default(walk, node, depth);
        }
        else {
            element_inline(walk, node, mode, depth);
        }
        break;
    default:  /* comments and processing instructions: the built-in templates print nothing */
        break;
    }
}

/* lxml.etree._Element, looked up when the module is imported */
static PyTypeObject *element_type = NULL;

/* The first element child of a document: the node lxml's XSLT takes the whole document for
 * (with whatever stands beside it: libxml2 puts what follows "</html>" in a second <html>) */
static int
is_document_root(const xmlNode *node)
{
    const xmlNode *parent = node->parent;
    if (parent == NULL
        || (parent->type != XML_DOCUMENT_NODE && parent->type != XML_HTML_DOCUMENT_NODE)) {
        return 0;
    }
    for (const xmlNode *child = parent->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) {
            return child == node;
        }
    }
    return 0;
}

static PyObject *
flatten(PyObject *module, PyObject *element)
{
    if (element_type == NULL || !PyObject_TypeCheck(element, element_type)) {
        PyErr_Format(PyExc_TypeError, "expected an lxml element, got %.100s",
                     Py_TYPE(element)->tp_name);
        return NULL;
    }
    const xmlNode *root = ((Element *)element)->c_node;
    if (root == NULL || root->type != XML_ELEMENT_NODE) {
        PyErr_SetString(PyExc_TypeError, "not an element (a comment or processing instruction)");
        return NULL;
    }
    if (root->doc == NULL || root->doc->type != XML_HTML_DOCUMENT_NODE) {
        /* an XML document may hold entity references, which this walk does not expand */
        PyErr_SetString(PyExc_TypeError, "not a node of an HTML document");
        return NULL;
    }
    Walk walk = {{NULL, 0, 0, 0}, {NULL, 0, 0, 0}, 0};
    if (is_document_root(root)) {
        for (const xmlNode *node = root->parent->children; node && !walk.too_deep;
             node = node->next) {
            node_(&walk, node, DEFAULT, 0);
        }
    }
    else {
        node_(&walk, root, DEFAULT, 0);
    }
    PyObject *result = NULL;
    if (walk.out.failed || walk.scratch.failed) {
        PyErr_NoMemory();
    }
    else if (walk.too_deep) {
        PyErr_Format(PyExc_RecursionError, "elements nested deeper than %d", MAX_DEPTH);
    }
    else {
        result = PyBytes_FromStringAndSize(walk.out.data ? walk.out.data : "",
                                           (Py_ssize_t)walk.out.length);
    }
    PyMem_Free(walk.out.data);
    PyMem_Free(walk.scratch.data);
    return result;
}

static PyMethodDef methods[] = {
    {"flatten", (PyCFunction)flatten, METH_O,
     "flatten(element) -> bytes: what sv_html's stylesheet makes of an lxml HTML element "
     "(the caller passes lxml elements only)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef flatten_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "publisher._flatten",
    .m_doc = "Optional C flattening of HTML for publisher.extract.sv_html.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__flatten(void)
{
    PyObject *module = PyModule_Create(&flatten_module);
    if (module == NULL) {
        return NULL;
    }
    /* the lxml it was built against: used only with that one (sv_html checks) */
    if (PyModule_AddStringConstant(module, "LXML_VERSION", LXML_VERSION_STRING) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    if (element_type == NULL) {
        PyObject *etree = PyImport_ImportModule("lxml.etree");
        PyObject *type = etree ? PyObject_GetAttrString(etree, "_Element") : NULL;
        Py_XDECREF(etree);
        if (type == NULL || !PyType_Check(type)) {
            Py_XDECREF(type);
            Py_DECREF(module);
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_ImportError, "lxml.etree._Element is not a type");
            }
            return NULL;
        }
        element_type = (PyTypeObject *)type; /* kept for the life of the process */
    }
    return module;
}
