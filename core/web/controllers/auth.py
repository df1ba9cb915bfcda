"""Login, logout, language and the staff member's own account."""
from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import scoped_session
from core.i18n import LOCALES, gettext as _
from core.models import ApiToken, StaffUser
from core.services import auth as auth_service
from core.web.context import app_context, current_user
from core.web.handlers import form_data, page_get, page_post, redirect, safe_next
from core.web.middleware import LOCALE_COOKIE, session_cookie_name
from core.web.templating import render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


class AuthController(Controller):
    path = "/"

    @page_get("/login", opt={"public": True}, name="login")
    def login_page(self, request: Request[Any, Any, Any], next: str = "/") -> Any:
        if request.scope.get("user") is not None:
            return redirect(safe_next(next))
        return render(request, "login.html", next=safe_next(next), error=None)

    @page_post("/login", opt={"public": True})
    def login(self, request: Request[Any, Any, Any], data: Form) -> Any:
        ctx = app_context(request)
        data = form_data(data)
        username, password = str(data.get("username", ""))[:200], str(data.get("password", ""))[:1000]
        nxt = safe_next(str(data.get("next", "/")))
        with scoped_session(ctx.session_factory, None) as db:
            result = auth_service.check_password(db, ctx.settings.security, username, password)
            if not result.ok or result.user is None:
                msg = (
                    _("Too many failed attempts. The account is locked for a while; try again later.")
                    if result.locked
                    else _("Wrong username or password.")
                )
                return render(request, "login.html", status_code=400 if not result.locked else 429, next=nxt, error=msg)
            org_ids = sorted({m.organization_id for m in result.user.memberships})
            if not org_ids:
                return render(request, "login.html", status_code=400, next=nxt, error=_("Wrong username or password."))
            old = request.cookies.get(session_cookie_name(ctx))
            token = auth_service.start_session(db, result.user, org_ids[0], old_token=old)
            if auth_service.has_totp(db, result.user.id):
                # The password was right; the session reaches nothing but the code page
                # until the second factor is given (see the permission guard).
                nxt = f"/login/totp?next={quote(nxt, safe='/')}"
        response = Redirect(path=nxt, status_code=303)
        response.cookies.append(_session_cookie(ctx, token))
        return response

    @page_post("/logout", opt={"permission": "account.use", "second_factor_exempt": True})
    def logout(self, request: Request[Any, Any, Any]) -> Any:
        ctx = app_context(request)
        token = request.cookies.get(session_cookie_name(ctx))
        if token:
            with scoped_session(ctx.session_factory, None) as db:
                auth_service.end_session(db, token)
        response = Redirect(path="/login", status_code=303)
        response.cookies.append(_session_cookie(ctx, "", max_age=0))
        return response

    @page_post("/language", opt={"public": True})
    def set_language(self, request: Request[Any, Any, Any], data: Form) -> Any:
        """Switch language and go back to the same page."""
        data = form_data(data)
        locale = data.get("locale") if data.get("locale") in LOCALES else "nb"
        user = request.scope.get("user")
        if user is not None:
            ctx = app_context(request)
            with scoped_session(ctx.session_factory, None) as db:
                row = db.get(StaffUser, user.id)
                if row is not None:
                    row.locale = locale
                    db.commit()
        response = Redirect(path=safe_next(str(data.get("next", "/"))), status_code=303)
        response.cookies.append(
            Cookie(key=LOCALE_COOKIE, value=str(locale), max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/")
        )
        return response

    @page_get("/account", opt={"permission": "account.use"}, name="account")
    def account(self, request: Request[Any, Any, Any], db: Session) -> Any:
        user = current_user(request)
        tokens = list(
            db.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id))
        )
        return render(request, "account.html", tokens=tokens, new_token=None, error=None)

    @page_post("/account/tokens", opt={"permission": "account.use"})
    def create_token(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        user = current_user(request)
        name = " ".join(str(form_data(data).get("name", "")).split())
        tokens = list(
            db.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id))
        )
        if not name or len(name) > 120:
            msg = _("This field is required.") if not name else _("At most %(n)s characters.", n=120)
            return render(request, "account.html", status_code=400, tokens=tokens, new_token=None, error=msg)
        staff = db.get(StaffUser, user.id)
        token = auth_service.create_api_token(db, staff, user.organization.id, name)  # type: ignore[arg-type]
        tokens = list(
            db.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id))
        )
        # Shown once, in the page body: never in a URL, never logged.
        return render(request, "account.html", tokens=tokens, new_token=token, error=None)

    @page_post("/account/tokens/{token_id:int}/revoke", opt={"permission": "account.use"})
    def revoke_token(self, request: Request[Any, Any, Any], db: Session, token_id: int) -> Any:
        from core.db import utcnow

        user = current_user(request)
        row = db.scalars(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)).first()
        if row is None:  # another user's token, or none: the same answer as for any foreign id
            from litestar.exceptions import NotFoundException

            raise NotFoundException()
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            db.commit()
        return redirect("/account")

    @page_post("/account/logout-everywhere", opt={"permission": "account.use"})
    def logout_everywhere(self, request: Request[Any, Any, Any], db: Session) -> Any:
        auth_service.end_all_sessions(db, current_user(request).id)
        response = Redirect(path="/login", status_code=303)
        response.cookies.append(_session_cookie(app_context(request), "", max_age=0))
        return response


def _session_cookie(ctx: Any, token: str, max_age: int | None = None) -> Cookie:
    secure = ctx.settings.security.secure_cookies
    return Cookie(
        key=session_cookie_name(ctx),
        value=token,
        path="/",
        httponly=True,
        secure=secure,
        samesite="lax",
        max_age=max_age,
    )
