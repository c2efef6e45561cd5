"""Each package's public face is deliberate: everything in ``__all__`` exists, and every
public name imported into ``__init__`` is listed."""

import importlib

import pytest


@pytest.mark.parametrize("name", ["index", "qa", "service"])
def test_all_is_complete_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    for attr in exported:
        assert getattr(module, attr) is not None, f"{name}.{attr}"
    if name != "service":  # service imports lazily, so nothing is bound at import time
        public = {
            k
            for k, v in vars(module).items()
            if not k.startswith("_") and not isinstance(v, type(importlib))
        }
        assert public - {"annotations"} <= exported, public - exported
