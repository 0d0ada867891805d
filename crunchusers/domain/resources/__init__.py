"""Persistent resources, one module per kind (see :mod:`..kinds`).

Importing this package imports every module in it, so that each ``@kind``
declaration is in the registry before anything reads it: a new kind is a new
module here and nothing else.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
