"""Resolve messy place-name spellings against a gazetteer.

``gazmap.Resolver()`` opens the embedded Afghan gazetteer; ``gazmap.Resolver(path)`` opens a
gazetteer CSV, a GeoNames dump or an index file (``.gzi``, memory-mapped and shared by every
process that opens it), told apart as ``gazmap --gazetteer`` tells them.

>>> import gazmap
>>> gazmap.Resolver().resolve("Pul-i-Hisar")["best"]["name"]
'Pul-e Ḩişār'
"""

from __future__ import annotations

import functools
import os

from ._gazmap import GZ_COLUMNS, GazmapError, Resolver, __version__

__all__ = ["GZ_COLUMNS", "GazmapError", "Resolver", "__version__", "shared_resolver"]


@functools.lru_cache(maxsize=None)
def _shared(path: str | None) -> Resolver:
    return Resolver(path)


def shared_resolver(gazetteer: str | os.PathLike[str] | None = None) -> Resolver:
    """The one ``Resolver`` of this process for ``gazetteer``, opened on first use.

    For engines that call a function many times per process (Spark's ``mapInArrow``, a
    multiprocessing pool): each process opens the gazetteer once, and an index file's pages
    are shared between processes by the operating system.
    """
    key = None if gazetteer is None else os.path.abspath(os.fspath(gazetteer))
    return _shared(key)


def _opened() -> int:
    """How many resolvers ``shared_resolver`` has opened in this process (for tests)."""
    return _shared.cache_info().misses
