"""Creating and changing participants, customers and work orders: one action each, which
the record pages and the JSON API both call.

Every resource of :data:`core.services.registry.RESOURCES` gets ``<name>.create`` and
``<name>.update``; work orders also ``work-orders.change_status``. The typed input is the
resource's generated type (:mod:`core.services.resource_types`); the rules (required
fields, references within the organization, a card code used once, dates in order) are
those of :mod:`core.services.resources`, applied here for both.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar.exceptions import NotFoundException
from msgspec import Meta

from core.actions import Action, Caller, Input, action
from core.db import get_scoped
from core.forms import FormError
from core.models import ORDER_STATUSES, ORDER_TRANSITIONS, WorkOrder
from core.services.registry import RESOURCES
from core.services.resource_types import ResourceTypes, api_name, given, out_of, types_of
from core.services.resources import Resource, create_row, update_row
from core.services.work_orders import NEEDS_REASON, change_order_status


class WorkOrderStatus(Input):
    """A work order's next step."""

    status: Annotated[Literal[ORDER_STATUSES], Meta(  # type: ignore[valid-type]
        description="The status the order moves to. Which may follow which: "
        + "; ".join(f"{old} → {', '.join(new)}" for old, new in ORDER_TRANSITIONS.items()) + ".",
        examples=["accepted"],
    )]
    status_reason: Annotated[str, Meta(
        max_length=500,
        description=f"Why; required when the status becomes {', '.join(sorted(NEEDS_REASON))}. Kept with the order.",
        examples=["Meaningful outdoor work for a team of four."],
    )] = ""


@dataclass(frozen=True)
class RecordActions:
    res: Resource
    types: ResourceTypes
    create: Action[Any, Any]
    update: Action[Any, Any]
    change_status: Action[Any, Any] | None = None


@contextmanager
def named_for(caller: Caller) -> Iterator[None]:
    """A rule's refusal names the field as the caller sent it: the API's name
    (``starts_on``) through the API, the form's (``start_date``) on the page."""
    try:
        yield
    except FormError as exc:
        if caller.api:
            raise FormError({api_name(k): m for k, m in exc.errors.items()}) from None
        raise


def _stored(caller: Caller, res: Resource, record_id: int) -> Any:
    obj = get_scoped(caller.db, res.model, record_id)
    if obj is None:
        raise NotFoundException()
    return obj


def _actions_of(res: Resource) -> RecordActions:
    types = types_of(res)
    one = res.name.rstrip("s").replace("-", " ")

    def create(caller: Caller, data: Any) -> Any:
        with named_for(caller):
            obj = create_row(caller.db, res, caller.organization_id, given(data))
        return out_of(types, res, obj)

    def update(caller: Caller, record_id: int, data: Any) -> Any:
        obj = _stored(caller, res, record_id)
        with named_for(caller):
            return out_of(types, res, update_row(caller.db, res, obj, given(data), partial=True))

    refs = "".join(f" `{name}` must name a record of the same organization." for name in res.references)
    create.__qualname__ = f"{res.name}.create"
    update.__qualname__ = f"{res.name}.update"
    made = RecordActions(
        res=res, types=types,
        create=action(
            f"{res.name}.create", permission=res.edit_permission, summary=f"Add a {one}",
            description=f"Adds a {one} to the caller's organization and answers with it (201). Fields left out take "
            f"the form's defaults.{refs} A rule that refuses the values answers 422 with the field and why.",
        )(create),
        update=action(
            f"{res.name}.update", permission=res.edit_permission, summary=f"Change a {one}",
            description=f"Changes the fields sent and leaves the others; answers with the {one} as stored. "
            f"An unknown {one} (or one of another organization) is 404.{refs} A rule that refuses the values "
            "answers 422.",
        )(update),
    )
    if res.model is WorkOrder:

        def set_status(caller: Caller, record_id: int, data: WorkOrderStatus) -> Any:
            order = _stored(caller, res, record_id)
            return out_of(types, res, change_order_status(caller.db, order, data.status, data.status_reason, plugins=caller.plugins))

        set_status.__qualname__ = f"{res.name}.change_status"
        made = RecordActions(
            res=made.res, types=types, create=made.create, update=made.update,
            change_status=action(
                "work-orders.change_status", permission=res.edit_permission, summary="Move a work order to its next status",
                description="Accepts, declines, schedules, starts, finishes or cancels a work order. A step the order's "
                "present status does not allow, or a missing reason where one is required (accepting, declining, "
                "cancelling), answers 422 and leaves the order as it was.",
            )(set_status),
        )
    return made


RECORD_ACTIONS: dict[str, RecordActions] = {name: _actions_of(res) for name, res in RESOURCES.items()}
"""Each resource's actions and types, by the resource's name."""
