"""List, show, add and edit participants, customers and work orders (HTML).

One router per :class:`core.services.resources.Resource`; the templates are shared, and
a resource can override its detail page with ``<name>/detail.html``.
"""
from __future__ import annotations

from typing import Annotated, Any

from jinja2 import TemplateNotFound
from litestar import Request, Router
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy.orm import Session

from core.actions import action_opt, form_input
from core.forms import FormError, validate
from core.i18n import gettext as _
from core.i18n import today
from core.labels import FIELD_CHOICES, choice_label
from core.models import ORDER_TRANSITIONS, Participant, WorkOrder
from core.services.registry import RESOURCES
from core.services.record_actions import RECORD_ACTIONS, WorkOrderStatus
from core.services.recurrence import describe, weekday_names
from core.services.resources import Resource, clean_filters, list_rows, page_number
from core.web.handlers import caller_of, form_data, get_or_404, page_get, page_post, redirect
from core.web.panels import render_panels
from core.web.templating import render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PER_PAGE = 25


def _display(res: Resource, db: Session) -> Any:
    """A function templates call to show a field's value in words."""
    options = {name: dict(load(db)) for name, load in res.ref_options.items()}

    def show(obj: Any, name: str) -> str:
        value = getattr(obj, name)
        if name in options:
            return options[name].get(value, "")
        if (res.name, name) in FIELD_CHOICES:
            return choice_label(FIELD_CHOICES[(res.name, name)], value)
        if isinstance(value, bool):
            return choice_label("bool", value)
        if name == "repeat_weekdays":
            return describe(obj)  # the whole rule in words: "Every 2 weeks on Monday, until ..."
        return value

    return show, options


def records_router(res: Resource) -> Router:
    base = f"/{res.name}"
    acts = RECORD_ACTIONS[res.name]
    types = acts.types

    def _checked(values: dict[str, Any]) -> dict[str, Any]:
        """The form's fields, unticked boxes as "no" (a browser sends nothing for them, and
        the form shown again with errors must show them unticked). A field the form does
        not have is refused, as the API refuses it: a status is changed by its own action."""
        for f in res.editable_fields:
            if f.kind == "bool":
                values.setdefault(f.name, "0")
        unknown = set(values) - {f.name for f in res.editable_fields}
        if unknown:
            raise FormError({"__all__": _("Unknown fields: %(names)s", names=", ".join(sorted(unknown)))})
        # A field sent twice is a forged form, not a choice between values: refused with
        # the message its kind gives (only a checkbox sends a hidden "0" before its value).
        repeated = [f for f in res.editable_fields if f.kind not in {"bool", "weekdays"} and isinstance(values.get(f.name), list)]
        if repeated:
            errors: dict[str, str] = {}
            for f in repeated:
                try:
                    validate([f], {f.name: values[f.name]})
                except FormError as exc:
                    errors.update(exc.errors)
            raise FormError(errors or {repeated[0].name: _("Not a valid value.")})
        return values

    def form_page(request: Request[Any, Any, Any], db: Session, obj: Any, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
        _show, options = _display(res, db)
        return render(
            request,
            "records/form.html",
            status_code=status,
            res=res,
            obj=obj,
            values=values,
            errors=errors,
            options=options,
            field_choices=FIELD_CHOICES,
            choice_label=choice_label,
            weekday_names=weekday_names(),
        )

    @page_get("/", opt={"permission": res.view_permission}, name=f"{res.name}.list")
    def list_page(request: Request[Any, Any, Any], db: Session) -> Any:
        params = dict(request.query_params)
        q = str(params.get("q", ""))[:200]
        filters = clean_filters(res, params)
        page = list_rows(db, res, q=q, filters=filters, page=page_number(params.get("page")), per_page=PER_PAGE)
        show, options = _display(res, db)
        return render(
            request, "records/list.html", res=res, page=page, q=q, filters=filters, show=show,
            options=options, field_choices=FIELD_CHOICES, choice_label=choice_label,
        )

    @page_get("/new", opt={"permission": res.edit_permission}, name=f"{res.name}.new")
    def new_page(request: Request[Any, Any, Any], db: Session) -> Any:
        return form_page(request, db, None, {}, {})

    @page_post("/", opt=action_opt(acts.create))
    def create(request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        try:
            _checked(values)
            obj = acts.create.run(caller_of(request, db), form_input(types.create, values))
        except FormError as exc:
            db.rollback()
            return form_page(request, db, None, values, exc.errors, status=400)
        return redirect(f"{base}/{obj.id}")

    @page_get("/{obj_id:int}", opt={"permission": res.view_permission}, name=f"{res.name}.detail")
    def detail(request: Request[Any, Any, Any], db: Session, obj_id: int) -> Any:
        obj = get_or_404(db, res.model, obj_id)
        show, _options = _display(res, db)
        panels = []
        if isinstance(obj, Participant):
            panels = render_panels(request, "lavterskel_participant_panels", db=db, participant=obj)
        template = "records/detail.html"
        try:
            request.app.state["ctx"].jinja.get_template(f"{res.name}/detail.html")
            template = f"{res.name}/detail.html"
        except TemplateNotFound:
            pass
        transitions = ORDER_TRANSITIONS.get(obj.status, ()) if isinstance(obj, WorkOrder) else ()
        return render(
            request, template, res=res, obj=obj, show=show, panels=panels, transitions=transitions,
            choice_label=choice_label, errors={}, today=today(),
        )

    @page_get("/{obj_id:int}/edit", opt={"permission": res.edit_permission}, name=f"{res.name}.edit")
    def edit_page(request: Request[Any, Any, Any], db: Session, obj_id: int) -> Any:
        obj = get_or_404(db, res.model, obj_id)
        return form_page(request, db, obj, {f.name: getattr(obj, f.name) for f in res.editable_fields}, {})

    @page_post("/{obj_id:int}", opt=action_opt(acts.update))
    def update(request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
        obj = get_or_404(db, res.model, obj_id)
        values = form_data(data)
        try:
            _checked(values)
            # The edit form sends every field: one left empty is set back to the form's
            # default (a cleared phone is cleared), so it is read as a whole record first.
            whole = form_input(types.create, values)
            acts.update.run(caller_of(request, db), obj.id, types.update(**{n: getattr(whole, n) for n in whole.__struct_fields__}))
        except FormError as exc:
            db.rollback()
            return form_page(request, db, obj, values, exc.errors, status=400)
        return redirect(f"{base}/{obj.id}")

    handlers: list[Any] = [list_page, new_page, create, detail, edit_page, update]

    if acts.change_status is not None:
        change = acts.change_status

        @page_post("/{obj_id:int}/status", opt=action_opt(change))
        def set_status(request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
            order = get_or_404(db, WorkOrder, obj_id)
            try:
                change.run(caller_of(request, db), order.id, form_input(WorkOrderStatus, form_data(data)))
            except FormError as exc:
                db.rollback()
                show, _options = _display(res, db)
                return render(
                    request, "records/detail.html", status_code=400, res=res, obj=order, show=show, panels=[],
                    transitions=ORDER_TRANSITIONS.get(order.status, ()), choice_label=choice_label, errors=exc.errors,
                    today=today(),
                )
            return redirect(f"{base}/{order.id}")

        handlers.append(set_status)

    return Router(path=base, route_handlers=handlers)


def all_records_routers() -> list[Router]:
    return [records_router(res) for res in RESOURCES.values()]
