# Types of the optional C module publisher/_flatten.c (see publisher.extract.sv_html).

LXML_VERSION: str

def flatten(element: object, /) -> bytes: ...
