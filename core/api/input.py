"""Reading a JSON body strictly: an object, with no field the endpoint does not know."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from core.forms import Field, FormError, validate
from core.i18n import gettext as _


def refuse_unknown(data: Any, known: Iterable[str]) -> Mapping[str, Any]:
    """The body as a mapping, or a translated 4xx: a typo in a field name must not be
    silently ignored, or a client believes it changed something it did not."""
    if not isinstance(data, Mapping):
        raise FormError({"__all__": _("The request body must be an object.")})
    unknown = set(data) - set(known)
    if unknown:
        raise FormError({"__all__": _("Unknown fields: %(names)s", names=", ".join(sorted(map(str, unknown))))})
    return data


def strict(fields: Sequence[Field], data: Any, *, extra: Iterable[str] = (), partial: bool = False) -> dict[str, Any]:
    """Validate ``data`` by ``fields``; ``extra`` names fields the caller checks itself."""
    body = refuse_unknown(data, [f.name for f in fields] + list(extra))
    return validate(fields, {k: v for k, v in body.items() if k not in set(extra)}, partial=partial)


def id_list(data: Mapping[str, Any], name: str) -> list[int]:
    """A list of ids (JSON integers), or a translated error."""
    ids = data.get(name) or []
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise FormError({name: _("Must be a list of whole numbers.")})
    return ids
