"""Two-factor sign-in with TOTP: enrolment (QR as inline SVG, no outside host) and the
code page after the password."""
from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import segno
from litestar import Controller, MediaType, Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body
from litestar.response import Redirect
from markupsafe import Markup
from sqlalchemy.orm import Session

from core.db import scoped_session
from core.i18n import gettext as _
from core.models import StaffUser
from core.services import auth as auth_service
from core.services.disclosure import SecondFactorNeeded
from core.web.context import app_context, current_user
from core.web.handlers import form_data, page_get, page_post, redirect, safe_next
from core.web.templating import render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
EXEMPT = {"permission": "account.use", "second_factor_exempt": True}


class SecondFactorRequired(PermissionDeniedException):
    """Raised by the permission guard: ``verify`` (give the code) or ``enrol`` (set TOTP up)."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what


def second_factor_handler(request: Request[Any, Any, Any], exc: SecondFactorRequired | SecondFactorNeeded) -> Response[Any]:
    """The guard's refusal (a sensitive permission) and the disclosure gate's (a route about to
    show a special-category value) end alike: the code page for pages, 403 for the API."""
    if request.url.path.startswith("/api/"):
        if isinstance(exc, SecondFactorNeeded):
            detail = _("This answer holds special-category data, and your organization requires two-factor sign-in for it. "
                       "Set up TOTP on your account, then use a token made after that.")
        else:
            detail = _("This needs two-factor sign-in. Set up TOTP on your account first.")
        return Response(content={"status_code": 403, "detail": detail}, status_code=403, media_type=MediaType.JSON)
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        # A form's POST cannot be repeated by a redirect after the code: back to the start.
        nxt = "/"
    target = "/login/totp" if exc.what == "verify" else "/account/totp"
    return Redirect(path=f"{target}?next={quote(nxt, safe='/')}", status_code=303)  # type: ignore[return-value]


def _qr_svg(uri: str) -> Markup:
    qr = segno.make(uri, error="m")
    # Inline SVG: no image host, no data: URL, nothing the CSP has to allow.
    return Markup(qr.svg_inline(scale=4, border=2, title=_("QR code for your authenticator app")))


class TotpController(Controller):
    path = "/"

    # --- after the password -------------------------------------------------------------

    @page_get("/login/totp", opt=EXEMPT, name="login.totp")
    def code_page(self, request: Request[Any, Any, Any], next: str = "/") -> Any:
        if request.scope.get("state", {}).get("second_factor") == "verified":
            return redirect(safe_next(next))
        return render(request, "totp_login.html", next=safe_next(next), error=None)

    @page_post("/login/totp", opt=EXEMPT)
    def verify(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        ctx = app_context(request)
        user = current_user(request)
        values = form_data(data)
        nxt = safe_next(str(values.get("next", "/")))
        row = auth_service.totp_of(db, user.id)
        if row is None or row.confirmed_at is None or user.session_id is None:
            return redirect(nxt)
        if auth_service.check_totp(db, ctx.settings.security, row, str(values.get("code", ""))[:20]):
            auth_service.mark_second_factor(db, user.session_id)
            with scoped_session(ctx.session_factory, None) as udb:
                staff = udb.get(StaffUser, user.id)
                if staff is not None:
                    staff.failed_logins = 0
                    udb.commit()
            return redirect(nxt)
        db.rollback()
        # Wrong codes count towards the same lockout as wrong passwords: six digits
        # would otherwise fall to guessing.
        with scoped_session(ctx.session_factory, None) as udb:
            locked = auth_service.count_failed_login(udb, ctx.settings.security, user.id)
            if locked:
                auth_service.end_all_sessions(udb, user.id)
        if locked:
            return redirect("/login")
        return render(request, "totp_login.html", status_code=400, next=nxt, error=_("Wrong code. Type the six digits your app shows now."))

    # --- enrolment ------------------------------------------------------------------------

    def _page(self, request: Request[Any, Any, Any], db: Session, *, status: int = 200, error: str | None = None, done: bool = False) -> Any:
        user = current_user(request)
        security = app_context(request).settings.security
        row = auth_service.totp_of(db, user.id)
        pending = row is not None and row.confirmed_at is None
        return render(
            request, "totp_account.html", status_code=status, enrolled=row is not None and row.confirmed_at is not None,
            pending=pending, secret=auth_service.totp_secret(security, row) if pending and row else None,
            qr=_qr_svg(auth_service.totp_uri(security, row, user.username)) if pending and row else None,
            required=request.scope.get("state", {}).get("second_factor_required", False), error=error, done=done,
            next=safe_next(str(request.query_params.get("next", "/account"))),
        )

    @page_get("/account/totp", opt={"permission": "account.use"}, name="account.totp")
    def account_page(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return self._page(request, db)

    @page_post("/account/totp/begin", opt={"permission": "account.use"}, status_code=200)
    def begin(self, request: Request[Any, Any, Any], db: Session) -> Any:
        staff = db.get(StaffUser, current_user(request).id)
        assert staff is not None
        auth_service.begin_totp_enrolment(db, app_context(request).settings.security, staff)
        return self._page(request, db)

    @page_post("/account/totp/confirm", opt={"permission": "account.use"}, status_code=200)
    def confirm(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        user = current_user(request)
        values = form_data(data)
        if not auth_service.confirm_totp(db, app_context(request).settings.security, user.id, str(values.get("code", ""))[:20]):
            db.rollback()
            return self._page(request, db, status=400, error=_("Wrong code. Type the six digits your app shows now."))
        if user.session_id is not None:
            # Typing a right code is the second factor for this session too.
            auth_service.mark_second_factor(db, user.session_id)
        return redirect(safe_next(str(values.get("next", "/account/totp")), "/account/totp"))

    @page_post("/account/totp/disable", opt={"permission": "account.use"}, status_code=200)
    def disable(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        user = current_user(request)
        row = auth_service.totp_of(db, user.id)
        if row is None:
            return redirect("/account/totp")
        if request.scope.get("state", {}).get("second_factor_required"):
            return self._page(request, db, status=400, error=_("Your organization requires two-factor sign-in for your role."))
        if not auth_service.check_totp(db, app_context(request).settings.security, row, str(form_data(data).get("code", ""))[:20]):
            db.rollback()
            return self._page(request, db, status=400, error=_("Wrong code. Type the six digits your app shows now."))
        auth_service.disable_totp(db, user.id)
        return redirect("/account/totp")


__all__ = ["SecondFactorRequired", "TotpController", "second_factor_handler"]
