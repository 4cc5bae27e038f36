/* Optional C speedups for publisher.text: the word-set scanner; and for publisher.privacy:
 * where a personnummer may begin in a text, and whether any text of a record tree may hold
 * one (each answered the same, more slowly, in Python without this module).
 *
 * Extraction checks many short texts for fixed word lists (secrecy markers, outcome hints,
 * vote labels) before it runs the costly regular expressions. In pure Python that check is a
 * regular expression trying a character trie at every position, some 20 ns per character:
 * a few of them cost more than parsing the document. Here the same check is one pass of a
 * deterministic automaton (Aho-Corasick), about 1 ns per character.
 *
 * Nothing here decides anything: publisher/text.py builds every table (the automaton, the
 * case folding) in Python and this module only runs it. When the module is not built,
 * publisher/text.py answers the same questions with regular expressions; the tests run both
 * and compare them.
 *
 * Case folding: a character's class is the class of its folded form, as publisher.privacy.fold
 * folds a whole text. Below FOLD_LIMIT the table from Python holds the class of every code
 * point; above it a character is lowered with the simple Unicode mapping (what str.lower
 * does there: no character above FOLD_LIMIT has a multi-character lower case) and looked up
 * again. Tables are checked once when a Scanner is made, so the scan loop indexes them
 * without checks.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define FOLD_LIMIT 0x3000
/* the longest separator publisher.privacy.SEPARATOR matches (its SEPARATOR_LENGTH) */
#define SEPARATOR_LENGTH 108

typedef struct {
    PyObject_HEAD
    Py_ssize_t nstates;
    Py_ssize_t nclasses;
    Py_ssize_t noutputs;
    uint8_t classmap[FOLD_LIMIT];
    Py_ssize_t nhigh;
    Py_UCS4 *high_keys;     /* sorted code points >= FOLD_LIMIT that are in a word */
    uint8_t *high_classes;
    uint16_t *delta;        /* nstates * nclasses: the next state */
    uint16_t *accept;       /* nstates: 0, or 1 + the id of the words that end here */
} Scanner;

static void
Scanner_dealloc(Scanner *self)
{
    PyMem_Free(self->high_keys);
    PyMem_Free(self->high_classes);
    PyMem_Free(self->delta);
    PyMem_Free(self->accept);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
read_u16(PyObject *bytes, const char *what, Py_ssize_t count, uint16_t **out)
{
    if (!PyBytes_Check(bytes) || PyBytes_GET_SIZE(bytes) != count * 2) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd bytes", what, count * 2);
        return -1;
    }
    *out = PyMem_Malloc(count > 0 ? (size_t)count * 2 : 1);
    if (*out == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    /* little-endian pairs, as Python's array('H').tobytes() on this machine or
       int.to_bytes(2, "little"): decoded byte by byte so either host order works */
    const unsigned char *raw = (const unsigned char *)PyBytes_AS_STRING(bytes);
    for (Py_ssize_t i = 0; i < count; i++) {
        (*out)[i] = (uint16_t)(raw[2 * i] | (raw[2 * i + 1] << 8));
    }
    return 0;
}

/* Scanner(nclasses, classmap, high_keys, high_classes, delta, accept, noutputs)
 *   classmap: bytes of FOLD_LIMIT classes; high_keys: tuple of sorted ints;
 *   high_classes: bytes, one class per high key; delta, accept: little-endian uint16 bytes */
static int
Scanner_init(Scanner *self, PyObject *args, PyObject *kwds)
{
    Py_ssize_t nclasses, noutputs;
    PyObject *classmap, *high_keys, *high_classes, *delta, *accept;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "Scanner() takes no keyword arguments");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "nSO!SSSn:Scanner", &nclasses, &classmap, &PyTuple_Type,
                          &high_keys, &high_classes, &delta, &accept, &noutputs)) {
        return -1;
    }
    if (self->delta != NULL || self->high_keys != NULL || self->high_classes != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Scanner is already initialised");
        return -1;
    }
    if (nclasses < 1 || nclasses > 256 || noutputs < 0 || noutputs > 65534) {
        PyErr_SetString(PyExc_ValueError, "nclasses must be 1..256, noutputs 0..65534");
        return -1;
    }
    if (PyBytes_GET_SIZE(classmap) != FOLD_LIMIT) {
        PyErr_Format(PyExc_ValueError, "classmap: expected %d bytes", FOLD_LIMIT);
        return -1;
    }
    Py_ssize_t accept_size = PyBytes_GET_SIZE(accept);
    if (accept_size < 2 || accept_size % 2) {
        PyErr_SetString(PyExc_ValueError, "accept: expected uint16 pairs for every state");
        return -1;
    }
    Py_ssize_t nstates = accept_size / 2;
    if (nstates > 65535) {
        PyErr_SetString(PyExc_ValueError, "too many states");
        return -1;
    }
    const unsigned char *cls = (const unsigned char *)PyBytes_AS_STRING(classmap);
    for (Py_ssize_t i = 0; i < FOLD_LIMIT; i++) {
        if (cls[i] >= nclasses) {
            PyErr_SetString(PyExc_ValueError, "classmap: class out of range");
            return -1;
        }
    }
    memcpy(self->classmap, cls, FOLD_LIMIT);

    Py_ssize_t nhigh = PyTuple_GET_SIZE(high_keys);
    if (PyBytes_GET_SIZE(high_classes) != nhigh) {
        PyErr_SetString(PyExc_ValueError, "high_classes: one class per high key");
        return -1;
    }
    self->high_keys = PyMem_Malloc(nhigh > 0 ? (size_t)nhigh * sizeof(Py_UCS4) : 1);
    self->high_classes = PyMem_Malloc(nhigh > 0 ? (size_t)nhigh : 1);
    if (self->high_keys == NULL || self->high_classes == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    const unsigned char *high_cls = (const unsigned char *)PyBytes_AS_STRING(high_classes);
    for (Py_ssize_t i = 0; i < nhigh; i++) {
        long key = PyLong_AsLong(PyTuple_GET_ITEM(high_keys, i));
        if (key == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (key < FOLD_LIMIT || key > 0x10FFFF || (i > 0 && key <= (long)self->high_keys[i - 1])
            || high_cls[i] >= nclasses) {
            PyErr_SetString(PyExc_ValueError, "high_keys: sorted code points >= FOLD_LIMIT");
            return -1;
        }
        self->high_keys[i] = (Py_UCS4)key;
        self->high_classes[i] = high_cls[i];
    }
    self->nhigh = nhigh;

    if (read_u16(delta, "delta", nstates * nclasses, &self->delta) < 0
        || read_u16(accept, "accept", nstates, &self->accept) < 0) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < nstates * nclasses; i++) {
        if (self->delta[i] >= nstates) {
            PyErr_SetString(PyExc_ValueError, "delta: state out of range");
            return -1;
        }
    }
    for (Py_ssize_t i = 0; i < nstates; i++) {
        if (self->accept[i] > noutputs) {
            PyErr_SetString(PyExc_ValueError, "accept: output out of range");
            return -1;
        }
    }
    self->nstates = nstates;
    self->nclasses = nclasses;
    self->noutputs = noutputs;
    return 0;
}

static inline unsigned int
char_class(const Scanner *self, Py_UCS4 ch)
{
    if (ch < FOLD_LIMIT) {
        return self->classmap[ch];
    }
    Py_UCS4 lower = Py_UNICODE_TOLOWER(ch);
    if (lower < FOLD_LIMIT) {
        return self->classmap[lower];
    }
    Py_ssize_t lo = 0, hi = self->nhigh;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (self->high_keys[mid] < lower) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return (lo < self->nhigh && self->high_keys[lo] == lower) ? self->high_classes[lo] : 0;
}

/* 0 when text is a ready str, else -1 with TypeError (or MemoryError) set */
static int
ready_str(PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expected str, got %.100s", Py_TYPE(text)->tp_name);
        return -1;
    }
    return PyUnicode_READY(text);
}

static int
check_ready(Scanner *self, PyObject *text)
{
    if (self->nstates == 0) { /* set only when __init__ succeeded */
        PyErr_SetString(PyExc_RuntimeError, "Scanner is not initialised");
        return -1;
    }
    return ready_str(text);
}

/* The scan loop for one string kind. ON_ACCEPT runs with the output id in `out` and the
   position after the current character in `i + 1`. */
#define SCAN_LOOP(CHAR_T, ON_ACCEPT)                                          \
    {                                                                         \
        const CHAR_T *chars = (const CHAR_T *)data;                           \
        for (Py_ssize_t i = 0; i < length; i++) {                             \
            Py_UCS4 ch = chars[i];                                            \
            unsigned int cls = (sizeof(CHAR_T) == 1 || ch < FOLD_LIMIT)       \
                                   ? self->classmap[ch]                       \
                                   : char_class(self, ch);                    \
            state = delta[state * nclasses + cls];                            \
            unsigned int out = accept[state];                                 \
            if (out) {                                                        \
                ON_ACCEPT                                                     \
            }                                                                 \
        }                                                                     \
    }

#define SCAN_ALL_KINDS(ON_ACCEPT)                                             \
    switch (kind) {                                                           \
    case PyUnicode_1BYTE_KIND: SCAN_LOOP(Py_UCS1, ON_ACCEPT) break;           \
    case PyUnicode_2BYTE_KIND: SCAN_LOOP(Py_UCS2, ON_ACCEPT) break;           \
    default: SCAN_LOOP(Py_UCS4, ON_ACCEPT) break;                             \
    }

/* first(text) -> the index just past the first word found, or -1 */
static PyObject *
Scanner_first(Scanner *self, PyObject *text)
{
    if (check_ready(self, text) < 0) {
        return NULL;
    }
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    const uint16_t *delta = self->delta;
    const uint16_t *accept = self->accept;
    const Py_ssize_t nclasses = self->nclasses;
    Py_ssize_t state = 0;
    SCAN_ALL_KINDS(return PyLong_FromSsize_t(i + 1);)
    return PyLong_FromLong(-1);
}

/* outputs(text) -> the distinct output ids met, in the order first met */
static PyObject *
Scanner_outputs(Scanner *self, PyObject *text)
{
    if (check_ready(self, text) < 0) {
        return NULL;
    }
    PyObject *found = PyList_New(0);
    if (found == NULL) {
        return NULL;
    }
    uint8_t small_seen[256];
    uint8_t *seen = small_seen;
    if (self->noutputs + 1 > (Py_ssize_t)sizeof(small_seen)) {
        seen = PyMem_Calloc((size_t)self->noutputs + 1, 1);
        if (seen == NULL) {
            Py_DECREF(found);
            return PyErr_NoMemory();
        }
    }
    else {
        memset(small_seen, 0, sizeof(small_seen));
    }
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    const uint16_t *delta = self->delta;
    const uint16_t *accept = self->accept;
    const Py_ssize_t nclasses = self->nclasses;
    Py_ssize_t state = 0;
    int failed = 0;
    SCAN_ALL_KINDS(
        if (!seen[out]) {
            seen[out] = 1;
            PyObject *id = PyLong_FromLong((long)out - 1);
            if (id == NULL || PyList_Append(found, id) < 0) {
                Py_XDECREF(id);
                failed = 1;
                break;
            }
            Py_DECREF(id);
        })
    if (seen != small_seen) {
        PyMem_Free(seen);
    }
    if (failed) {
        Py_DECREF(found);
        return NULL;
    }
    return found;
}

/* fold_class(code_point) -> the class the scan gives that character (for the tests) */
static PyObject *
Scanner_fold_class(Scanner *self, PyObject *arg)
{
    long ch = PyLong_AsLong(arg);
    if (ch == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (ch < 0 || ch > 0x10FFFF) {
        PyErr_SetString(PyExc_ValueError, "not a code point");
        return NULL;
    }
    if (self->nstates == 0) { /* set only when __init__ succeeded */
        PyErr_SetString(PyExc_RuntimeError, "Scanner is not initialised");
        return NULL;
    }
    return PyLong_FromUnsignedLong(char_class(self, (Py_UCS4)ch));
}

static inline int
is_decimal(Py_UCS4 ch)
{
    /* what \d matches in a str expression: a Unicode decimal digit */
    return ch < 128 ? (ch >= '0' && ch <= '9') : Py_UNICODE_ISDECIMAL(ch);
}

/* The loop of first_number_start, for a DIGIT_AT(k) that tells whether the character at k
 * (for any k, also past the end) is a decimal digit. Returns from the function. */
#define NUMBER_START_LOOP(DIGIT_AT)                                                         \
    for (Py_ssize_t i = start < 0 ? 0 : start; i < n; i++) {                                \
        if (!DIGIT_AT(i) || !DIGIT_AT(i + 1)) {                                             \
            continue;                                                                       \
        }                                                                                   \
        Py_ssize_t j = i + 2;                                                               \
        int date_ok = 1;                                                                    \
        for (int pair = 0; pair < 2; pair++) {                                              \
            if (j < n && !DIGIT_AT(j)) {                                                    \
                j++; /* the gap */                                                          \
            }                                                                               \
            if (!DIGIT_AT(j) || !DIGIT_AT(j + 1)) {                                         \
                date_ok = 0;                                                                \
                break;                                                                      \
            }                                                                               \
            j += 2;                                                                         \
        }                                                                                   \
        if (!date_ok) {                                                                     \
            continue;                                                                       \
        }                                                                                   \
        Py_ssize_t run = 0;                                                                 \
        for (Py_ssize_t k = j; k < n && k < j + SEPARATOR_LENGTH + 4; k++) {                \
            run = DIGIT_AT(k) ? run + 1 : 0;                                                \
            if (run == 4) {                                                                 \
                return i;                                                                   \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
    return -1;

/* The first index >= start where the shape of a personnummer may begin, or -1 (see
 * number_start below). `text` is a ready str. */
static Py_ssize_t
first_number_start(PyObject *text, Py_ssize_t start)
{
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (kind == PyUnicode_1BYTE_KIND) {
        /* Latin-1 text (nearly all): its only decimal digits are '0'-'9', read as bytes */
        const Py_UCS1 *chars = (const Py_UCS1 *)data;
#define DIGIT_AT_1(k) ((k) < n && (Py_UCS1)(chars[(k)] - '0') < 10)
        NUMBER_START_LOOP(DIGIT_AT_1)
#undef DIGIT_AT_1
    }
#define DIGIT_AT_N(k) ((k) < n && is_decimal(PyUnicode_READ(kind, data, (k))))
    NUMBER_START_LOOP(DIGIT_AT_N)
#undef DIGIT_AT_N
}

/* number_start(text, start) -> the first index >= start where the shape of a personnummer
 * may begin, or -1.
 *
 * The shape (publisher.privacy.NUMBER_SHAPE) is two digits, an optional gap, two digits, an
 * optional gap, two digits, an optional separator of at most SEPARATOR_LENGTH characters,
 * four digits. Here a gap is any one character that is not a digit (the expression allows
 * only some), and the separator anything at all: four digits in a row that start within
 * SEPARATOR_LENGTH characters.
 * So every index where the shape matches is found (and a few more, which the expression
 * then turns down); an index not found is no match. */
static PyObject *
number_start(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "number_start(text: str, start: int)");
        return NULL;
    }
    PyObject *text = args[0];
    Py_ssize_t start = PyLong_AsSsize_t(args[1]);
    if (start == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (PyUnicode_READY(text) < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(first_number_start(text, start));
}

/* Whether the tree below `node` may hold a personnummer: 1 (maybe), 0 (no), -1 (error).
 * See tree_may_hold_number. */
static int
may_hold_number(PyObject *node, PyObject *fields, PyObject *leaves, int depth)
{
    if (depth > 64) {
        return 1; /* deeper than any record tree: let the Python walk read it */
    }
    PyTypeObject *type = Py_TYPE(node);
    if (type == &PyUnicode_Type) {
        if (PyUnicode_READY(node) < 0) {
            return -1;
        }
        return first_number_start(node, 0) >= 0;
    }
    if (type == &PyTuple_Type) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(node); i++) {
            int found = may_hold_number(PyTuple_GET_ITEM(node, i), fields, leaves, depth + 1);
            if (found) {
                return found;
            }
        }
        return 0;
    }
    int leaf = PySet_Contains(leaves, (PyObject *)type);
    if (leaf) {
        return leaf < 0 ? -1 : 0;
    }
    PyObject *names = PyDict_GetItemWithError(fields, (PyObject *)type); /* borrowed */
    if (names == NULL) {
        return PyErr_Occurred() ? -1 : 1; /* not a record it knows: maybe */
    }
    if (!PyTuple_Check(names)) {
        return 1;
    }
    /* a getter below may run Python code that replaces fields[type] (or node.__class__):
       own what the loop reads */
    Py_INCREF(names);
    Py_INCREF(type);
    int result = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *field = PyTuple_GET_ITEM(names, i);
        PyObject *value;
        if (PyUnicode_Check(field)) {
            value = PyObject_GetAttr(node, field);
        }
        else {
            /* the field's descriptor, found for this very type (what getattr would call) */
            descrgetfunc get = Py_TYPE(field)->tp_descr_get;
            if (get == NULL) {
                result = 1;
                break;
            }
            value = get(field, node, (PyObject *)type);
        }
        if (value == NULL) {
            PyErr_Clear();
            result = 1; /* the Python walk meets the same error and reports it */
            break;
        }
        result = may_hold_number(value, fields, leaves, depth + 1);
        Py_DECREF(value);
        if (result) {
            break;
        }
    }
    Py_DECREF(type);
    Py_DECREF(names);
    return result;
}

/* tree_may_hold_number(tree, fields, leaves) -> bool
 *
 * False only when every string of the record tree has been read and none has a place where
 * number_start finds the shape of a personnummer may begin: then none holds one. The tree is
 * read as publisher.privacy reads it: an exact str is a text; the items of an exact tuple are
 * read; an object whose exact type is a key of the dict `fields` has the attributes that
 * fields[type] names read (a tuple of attribute names, or of the descriptors that getattr
 * would call for them on that type); an object whose exact type is in the set `leaves` holds
 * no text. Anything else (a str subclass that is no leaf, a list, a type in neither) makes
 * the answer True at once, as does a failing attribute: True is only "maybe", after which
 * the Python walk reads the tree as it always has. */
static PyObject *
tree_may_hold_number(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyDict_Check(args[1]) || !PyAnySet_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        "tree_may_hold_number(tree, fields: dict, leaves: set | frozenset)");
        return NULL;
    }
    int found = may_hold_number(args[0], args[1], args[2], 0);
    if (found < 0) {
        return NULL;
    }
    return PyBool_FromLong(found);
}

/* The two passes below: collapse_space(text) -> " ".join(text.split()), the words of text (runs
 * of characters that are not whitespace, as str.split() sees it) joined by single spaces; and
 * scrub(text), the same after the characters nobody sees are removed, the Latin ligatures
 * written as their letters and control characters made spaces (publisher.text.scrub says
 * it in Python). Cleaning a document's text does this once over all of it; text.split()
 * builds a string per word first, ten times slower than one pass. The result is built from a
 * buffer of the text's own width by PyUnicode_FromKindAndData, which narrows it when only
 * the whitespace was wide. */

/* publisher.text._INVISIBLE: the soft hyphen, the Mongolian vowel separator, zero widths and
 * joiners, the word joiner and invisible operators, the byte order mark, variation selectors */
static inline int
is_invisible(Py_UCS4 ch)
{
    if (ch < 0xAD) {
        return 0;
    }
    return ch == 0xAD || ch == 0x180E || (ch >= 0x200B && ch <= 0x200D)
           || (ch >= 0x2060 && ch <= 0x2064) || ch == 0xFEFF || (ch >= 0xFE00 && ch <= 0xFE0F);
}

/* publisher.text._CONTROL: C0 but TAB, LF and CR, DEL and C1, lone surrogates */
static inline int
is_control(Py_UCS4 ch)
{
    return ch <= 0x08 || ch == 0x0B || ch == 0x0C || (ch >= 0x0E && ch <= 0x1F)
           || (ch >= 0x7F && ch <= 0x9F) || (ch >= 0xD800 && ch <= 0xDFFF);
}

/* U+FB00-U+FB06 as letters (publisher.text._LIGATURES) */
static const char *const LIGATURES[] = {"ff", "fi", "fl", "ffi", "ffl", "st", "st"};

/* The loop of words_joined for one width of string (PyUnicode_READ decides the width for
 * every character; this decides it once). Returns the length written to out. */
#define WORDS_JOINED(NAME, TYPE)                                                         \
    static Py_ssize_t NAME(const void *data, Py_ssize_t n, char *out, int scrub)         \
    {                                                                                    \
        const TYPE *in = (const TYPE *)data;                                             \
        TYPE *buffer = (TYPE *)out;                                                      \
        Py_ssize_t length = 0;                                                           \
        int pending_space = 0;                                                           \
        for (Py_ssize_t i = 0; i < n; i++) {                                             \
            const Py_UCS4 ch = in[i];                                                    \
            if (Py_UNICODE_ISSPACE(ch) || (scrub && is_control(ch))) {                   \
                pending_space = length > 0;                                              \
                continue;                                                                \
            }                                                                            \
            if (scrub && is_invisible(ch)) {                                             \
                continue;                                                                \
            }                                                                            \
            if (pending_space) {                                                         \
                buffer[length++] = ' ';                                                  \
                pending_space = 0;                                                       \
            }                                                                            \
            if (scrub && ch >= 0xFB00 && ch <= 0xFB06) {                                 \
                for (const char *letter = LIGATURES[ch - 0xFB00]; *letter; letter++) {   \
                    buffer[length++] = (TYPE)*letter;                                    \
                }                                                                        \
                continue;                                                                \
            }                                                                            \
            buffer[length++] = (TYPE)ch;                                                 \
        }                                                                                \
        return length;                                                                   \
    }

WORDS_JOINED(words_joined_1, Py_UCS1)
WORDS_JOINED(words_joined_2, Py_UCS2)
WORDS_JOINED(words_joined_4, Py_UCS4)

static PyObject *
words_joined(PyObject *text, int scrub)
{
    if (ready_str(text) < 0) {
        return NULL;
    }
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* a ligature (one character) becomes at most three: room for that only where one can be */
    if (n > PY_SSIZE_T_MAX / 12) {
        return PyErr_NoMemory();
    }
    const Py_ssize_t room = (scrub && kind != PyUnicode_1BYTE_KIND) ? 3 * n : n;
    char *buffer = PyMem_Malloc(room > 0 ? (size_t)room * kind : 1);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t length = 0;
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        length = words_joined_1(data, n, buffer, scrub);
        break;
    case PyUnicode_2BYTE_KIND:
        length = words_joined_2(data, n, buffer, scrub);
        break;
    default:
        length = words_joined_4(data, n, buffer, scrub);
        break;
    }
    PyObject *result = PyUnicode_FromKindAndData(kind, buffer, length);
    PyMem_Free(buffer);
    return result;
}

static PyObject *
collapse_space(PyObject *module, PyObject *text)
{
    return words_joined(text, 0);
}

static PyObject *
scrub(PyObject *module, PyObject *text)
{
    return words_joined(text, 1);
}

/* is_nfc_plain(text) -> True when every character is below U+0300 (Latin), punctuation or a
 * currency sign of U+2010-U+2027, U+2030-U+205E, U+20A0-U+20C0 (dashes, quotes, ellipsis,
 * per mille, euro), or private use (U+E000-U+F8FF, sv_html's marks): each of those is its own
 * NFC form and combines with nothing (tests/test_text_scan.py checks every pair), so the
 * text is NFC as it is. False says nothing: unicodedata decides. One pass instead of the
 * quick check's table lookups. */
static PyObject *
is_nfc_plain(PyObject *module, PyObject *text)
{
    if (ready_str(text) < 0) {
        return NULL;
    }
    const int kind = PyUnicode_KIND(text);
    if (kind == PyUnicode_1BYTE_KIND) {
        Py_RETURN_TRUE;  /* Latin-1 */
    }
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch >= 0x300 && !(ch >= 0xE000 && ch <= 0xF8FF)
            && !(ch >= 0x2010 && ch <= 0x2027) && !(ch >= 0x2030 && ch <= 0x205E)
            && !(ch >= 0x20A0 && ch <= 0x20C0)) {
            Py_RETURN_FALSE;
        }
    }
    Py_RETURN_TRUE;
}

/* control_bytes(data, encoding) -> how many control characters (publisher.text.CONTROL)
 * the text decoded from data holds, counted on the bytes: C0 but TAB, LF and CR, and DEL
 * always; for "latin-1" also 0x80-0x9F (the C1 controls); for "utf-8" the C1 controls as
 * 0xC2 0x80-0x9F (0xC2 is only ever a lead byte). For "cp1252" 0x80-0x9F are printable. */
static PyObject *
control_bytes(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "control_bytes(data: bytes, encoding: str)");
        return NULL;
    }
    Py_ssize_t encoding_length;
    const char *encoding = PyUnicode_AsUTF8AndSize(args[1], &encoding_length);
    if (encoding == NULL) {
        return NULL;
    }
    if ((Py_ssize_t)strlen(encoding) != encoding_length) {
        PyErr_SetString(PyExc_ValueError, "unknown encoding (a NUL inside)");
        return NULL;
    }
    const int latin1 = strcmp(encoding, "latin-1") == 0;
    const int utf8 = strcmp(encoding, "utf-8") == 0;
    if (!latin1 && !utf8 && strcmp(encoding, "cp1252") != 0) {
        PyErr_Format(PyExc_ValueError, "unknown encoding %.40s", encoding);
        return NULL;
    }
    /* 1 for each byte that is a control character wherever it stands */
    unsigned char control[256] = {0};
    for (int byte = 0; byte < 0x20; byte++) {
        control[byte] = byte != 0x09 && byte != 0x0A && byte != 0x0D;
    }
    control[0x7F] = 1;
    for (int byte = 0x80; byte <= 0x9F; byte++) {
        control[byte] = (unsigned char)latin1;
    }
    const unsigned char *data = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    const Py_ssize_t n = PyBytes_GET_SIZE(args[0]);
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        count += control[data[i]];
    }
    if (utf8) {
        const unsigned char *lead = memchr(data, 0xC2, (size_t)n);
        while (lead != NULL) {
            const Py_ssize_t at = lead - data;
            if (at + 1 < n && data[at + 1] >= 0x80 && data[at + 1] <= 0x9F) {
                count++;
            }
            lead = at + 1 < n ? memchr(data + at + 1, 0xC2, (size_t)(n - at - 1)) : NULL;
        }
    }
    return PyLong_FromSsize_t(count);
}

static PyMethodDef Scanner_methods[] = {
    {"first", (PyCFunction)Scanner_first, METH_O,
     "first(text) -> index just past the first word found in text, or -1"},
    {"outputs", (PyCFunction)Scanner_outputs, METH_O,
     "outputs(text) -> list of the distinct output ids met, in order"},
    {"fold_class", (PyCFunction)Scanner_fold_class, METH_O,
     "fold_class(code_point) -> the character class the scan uses"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "publisher._speedups.Scanner",
    .tp_doc = "A word-set automaton built by publisher.text.WordSet.",
    .tp_basicsize = sizeof(Scanner),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
};

static PyMethodDef module_methods[] = {
    {"collapse_space", (PyCFunction)collapse_space, METH_O,
     "collapse_space(text) -> ' '.join(text.split())"},
    {"scrub", (PyCFunction)scrub, METH_O,
     "scrub(text) -> collapse_space of text without invisible characters, ligatures or "
     "control characters"},
    {"is_nfc_plain", (PyCFunction)is_nfc_plain, METH_O,
     "is_nfc_plain(text) -> True when text holds only characters below U+0300 or private use "
     "ones (NFC as it is)"},
    {"control_bytes", (PyCFunction)(void (*)(void))control_bytes, METH_FASTCALL,
     "control_bytes(data, encoding) -> the control characters of data decoded, counted on its "
     "bytes (encoding: utf-8, cp1252 or latin-1)"},
    {"number_start", (PyCFunction)(void (*)(void))number_start, METH_FASTCALL,
     "number_start(text, start) -> first index >= start where a personnummer may begin, or -1"},
    {"tree_may_hold_number", (PyCFunction)(void (*)(void))tree_may_hold_number, METH_FASTCALL,
     "tree_may_hold_number(tree, fields, leaves) -> False only if no string of it can hold a "
     "personnummer"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "publisher._speedups",
    .m_doc = "Optional C speedups; publisher.text and publisher.privacy work without them.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL) {
        return NULL;
    }
    /* PyModule_AddType readies the type and takes its own reference */
    if (PyModule_AddType(module, &ScannerType) < 0
        || PyModule_AddIntConstant(module, "FOLD_LIMIT", FOLD_LIMIT) < 0
        || PyModule_AddIntConstant(module, "SEPARATOR_LENGTH", SEPARATOR_LENGTH) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
