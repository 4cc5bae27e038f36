# Types of the optional C module publisher/_speedups.c (see publisher.text.WordSet).

FOLD_LIMIT: int
SEPARATOR_LENGTH: int

def collapse_space(text: str, /) -> str: ...
def scrub(text: str, /) -> str: ...
def number_start(text: str, start: int, /) -> int: ...
def tree_may_hold_number(
    tree: object, fields: dict[type, tuple[object, ...]], leaves: frozenset[type] | set[type], /
) -> bool: ...

class Scanner:
    def __init__(
        self,
        nclasses: int,
        classmap: bytes,
        high_keys: tuple[int, ...],
        high_classes: bytes,
        delta: bytes,
        accept: bytes,
        noutputs: int,
        /,
    ) -> None: ...
    def first(self, text: str, /) -> int: ...
    def outputs(self, text: str, /) -> list[int]: ...
    def fold_class(self, code_point: int, /) -> int: ...
