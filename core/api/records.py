"""Participants, customers and work orders as JSON: the same actions as the record pages.

One router per :class:`core.services.resources.Resource`. The routes are made per resource,
with the resource's own types and names (``{participant_id}``, the list's filters), so
the schema describes each one fully.

This module does not use ``from __future__ import annotations``: the handlers' types are
made at run time per resource, and Litestar reads them from the functions' signatures.
"""
import inspect
from collections.abc import Callable
from typing import Annotated, Any, Literal

from litestar import Request, Router
from litestar.params import Parameter
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.forms import INT_MAX, Field
from core.services.record_actions import RECORD_ACTIONS, RecordActions, WorkOrderStatus
from core.services.resource_types import api_name, english, out_of
from core.services.resources import Resource, list_rows
from core.web.handlers import api_get, api_patch, api_post, caller_of, get_or_404

MAX_PER_PAGE = 200
MAX_PAGE = 100_000

Q = Annotated[str, Parameter(description="Words to search for in the list's names and texts (case does not matter; at most 200 characters are used).")]
PageNumber = Annotated[int, Parameter(ge=1, description="The page to answer, from 1; a number past the last page answers the last page.")]
PerPage = Annotated[int, Parameter(ge=1, description=f"Records per page, 1 to {MAX_PER_PAGE}; a larger number is taken as {MAX_PER_PAGE}.")]


def paging(page: int, per_page: int) -> tuple[int, int]:
    """The page and page size a list answers for what was asked (see ``PageNumber``)."""
    return max(1, min(page, MAX_PAGE)), max(1, min(per_page, MAX_PER_PAGE))


def id_name(res: Resource) -> str:
    """The path parameter naming one record: ``participant_id``, ``work_order_id``."""
    return res.name.rstrip("s").replace("-", "_") + "_id"


def _filter_type(res: Resource, f: Field) -> Any:
    label = english(res.labels.get(f.name, f.name))
    if f.kind == "bool":
        kind: Any = bool
        text = f"Only records whose “{label}” is this (true or false)."
    elif f.kind == "choice":
        kind = Literal[tuple(f.choices)]
        text = f"Only records whose “{label}” is this."
    else:
        kind = Annotated[int, Parameter(ge=1, le=INT_MAX)]
        text = f"Only records whose “{label}” is this id."
    return Annotated[kind | None, Parameter(query=api_name(f.name), description=text)]


def _signed(fn: Callable[..., Any], params: list[tuple[str, Any, Any]], returns: Any) -> Callable[..., Any]:
    """``fn`` (which takes ``**kw``) as Litestar should see it: these parameters and this
    return type, so each resource's route declares its own ids, filters and bodies."""
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default) for name, kind, default in params],
        return_annotation=returns,
    )
    fn.__annotations__ = {name: kind for name, kind, _default in params} | {"return": returns}
    return fn


def records_api_router(res: Resource) -> Router:
    acts: RecordActions = RECORD_ACTIONS[res.name]
    types = acts.types
    tag = [res.name]
    key = id_name(res)
    one = res.name.rstrip("s").replace("-", " ")
    record_id = Annotated[int, Parameter(description=f"The {one}'s id.")]
    base: list[tuple[str, Any, Any]] = [("request", Request, inspect.Parameter.empty), ("db", Session, inspect.Parameter.empty)]
    filters = {f.name: _filter_type(res, f) for f in res.filters}

    def list_items(**kw: Any) -> Any:
        page, per_page = paging(kw["page"], kw["per_page"])
        chosen = {name: kw[name] for name in filters if kw.get(name) is not None}
        found = list_rows(kw["db"], res, q=kw["q"][:200], filters=chosen, page=page, per_page=per_page)
        return types.listing(items=[out_of(types, res, r) for r in found.rows], total=found.total, page=found.page, per_page=per_page)

    list_handler = api_get(
        "/", opt={"permission": res.view_permission}, name=f"api.{res.name}.list", tags=tag,
        summary=f"List {res.name.replace('-', ' ')}",
        description=f"The organization's {res.name.replace('-', ' ')}, searched with `q`, filtered by "
        f"{', '.join(f'`{n}`' for n in filters)} and paged.",
    )(_signed(list_items, [*base, ("q", Q, ""), ("page", PageNumber, 1), ("per_page", PerPage, 50),
                           *((name, kind, None) for name, kind in filters.items())], types.listing))

    def create_item(**kw: Any) -> Any:
        return acts.create.run(caller_of(kw["request"], kw["db"]), kw["data"])

    create_handler = api_post("/", **api_doc(acts.create), name=f"api.{res.name}.create", tags=tag, status_code=201)(
        _signed(create_item, [*base, ("data", types.create, inspect.Parameter.empty)], types.out)
    )

    def get_item(**kw: Any) -> Any:
        return out_of(types, res, get_or_404(kw["db"], res.model, kw[key]))

    detail_handler = api_get(
        f"/{{{key}:int}}", opt={"permission": res.view_permission}, name=f"api.{res.name}.detail", tags=tag,
        summary=f"Read a {one}", description=f"One {one} of the organization; 404 when there is none with this id.",
    )(_signed(get_item, [*base, (key, record_id, inspect.Parameter.empty)], types.out))

    def update_item(**kw: Any) -> Any:
        return acts.update.run(caller_of(kw["request"], kw["db"]), kw[key], kw["data"])

    update_handler = api_patch(f"/{{{key}:int}}", **api_doc(acts.update), name=f"api.{res.name}.update", tags=tag)(
        _signed(update_item, [*base, (key, record_id, inspect.Parameter.empty), ("data", types.update, inspect.Parameter.empty)], types.out)
    )

    handlers: list[Any] = [list_handler, create_handler, detail_handler, update_handler]
    if acts.change_status is not None:
        change = acts.change_status

        def set_status(**kw: Any) -> Any:
            return change.run(caller_of(kw["request"], kw["db"]), kw[key], kw["data"])

        handlers.append(api_post(f"/{{{key}:int}}/status", **api_doc(change), name=f"api.{res.name}.status", tags=tag, status_code=200)(
            _signed(set_status, [*base, (key, record_id, inspect.Parameter.empty), ("data", WorkOrderStatus, inspect.Parameter.empty)], types.out)
        ))
    return Router(path=f"/{res.name}", route_handlers=handlers)
