"""Login, logout, language and the staff member's own account."""
from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from sqlalchemy.orm import Session

from core.actions import action_opt, form_input
from core.db import scoped_session
from core.forms import FormError
from core.i18n import LOCALES, gettext as _
from core.services import auth as auth_service
from core.services import account as own_account
from core.services import tokens as token_service
from core.services.account import CreateToken, SetLanguage
from core.web.client import client_address
from core.web.context import app_context, current_user
from core.web.handlers import caller_of, form_data, form_list, page_get, page_post, redirect, safe_next
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
            client = client_address(request.scope, ctx.settings.security.trusted_proxies)
            result = auth_service.check_password(db, ctx.settings.security, username, password, client)
            if not result.ok or result.user is None:
                # "Locked" is said of this client's attempts, never of an account: the same
                # words come for a username that does not exist.
                msg = _("Too many attempts. Wait a little and try again.") if result.locked else _("Wrong username or password.")
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

    # Public: the sign-in page has the switch too, where it only sets the cookie. Signed
    # in, it is the account's action (its permission is what the API route needs).
    @page_post("/language", opt={**action_opt(own_account.set_language), "public": True})
    def set_language(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        """Switch language and go back to the same page."""
        values = form_data(data)
        # An unknown language is Bokmål here, not an error: the switch must always lead back.
        locale = values.get("locale") if values.get("locale") in LOCALES else "nb"
        if request.scope.get("user") is not None:
            own_account.set_language.run(caller_of(request, db), SetLanguage(locale=locale))
        response = Redirect(path=safe_next(str(values.get("next", "/"))), status_code=303)
        response.cookies.append(
            Cookie(key=LOCALE_COOKIE, value=str(locale), max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/")
        )
        return response

    def _account(self, request: Request[Any, Any, Any], db: Session, *, status: int = 200, new_token: str | None = None,
                 errors: dict[str, str] | None = None) -> Any:
        user = current_user(request)
        return render(
            request, "account.html", status_code=status, tokens=token_service.live_tokens(db, user.id, user.organization.id),
            new_token=new_token, errors=errors or {}, scopes=auth_service.TOKEN_SCOPES,
            token_days=app_context(request).settings.security.token_days,
        )

    @page_get("/account", opt={"permission": "account.use"}, name="account")
    def account(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return self._account(request, db)

    @page_post("/account/tokens", opt=action_opt(own_account.create_token))
    def create_token(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        try:
            # No scope ticked is a choice to refuse, not a wish for the default.
            inp = form_input(CreateToken, form_data(data), scopes=form_list(data, "scopes"))
            _row, token = own_account.create_token.run(caller_of(request, db), inp)
        except FormError as exc:
            db.rollback()
            return self._account(request, db, status=400, errors=exc.errors)
        # Shown once, in the page body: never in a URL, never logged.
        return self._account(request, db, new_token=token)

    @page_post("/account/tokens/{token_id:int}/revoke", opt=action_opt(own_account.revoke_token))
    def revoke_token(self, request: Request[Any, Any, Any], db: Session, token_id: int) -> Any:
        own_account.revoke_token.run(caller_of(request, db), token_id)
        return redirect("/account")

    @page_post("/account/logout-everywhere", opt=action_opt(own_account.sign_out_everywhere))
    def logout_everywhere(self, request: Request[Any, Any, Any], db: Session) -> Any:
        """Every session ends and every API token is revoked."""
        own_account.sign_out_everywhere.run(caller_of(request, db))
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
