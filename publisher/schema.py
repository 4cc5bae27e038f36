"""The JSON Schemas shipped with the package (public interface, versioned)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    text = resources.files("publisher").joinpath("schemas", name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def protocol_schema() -> dict[str, Any]:
    return load("protocol.schema.json")
