"""Signing providers for the employment contract and the confidentiality declaration.

A provider is any object with ``key``, ``label`` and ``sign(db, document, data, by_id)``
that either marks the document signed or raises :class:`core.forms.FormError`. Providers
come from the ``lavterskel_signing_providers`` hook; the built-in one records a paper
signature and the staff member who saw it. A BankID provider is a plugin returning one more.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.forms import Field, validate
from core.i18n import lazy_gettext as L
from plugins.nyttig_contract.models import SignedDocument


class PaperSigning:
    """The built-in provider: the person signed on paper; the staff member recording it saw it."""

    key = "paper"
    label = L("Signed on paper, seen by a staff member")

    def sign(self, db: Session, document: SignedDocument, data: dict[str, Any], by_id: int | None) -> None:
        clean = validate([Field("signed_on", kind="date", required=True)], data)
        document.provider = self.key
        document.status = "signed"
        document.signed_on = clean["signed_on"]
        document.seen_by_id = by_id
        document.reference = ""


def collect_providers(plugins: Any, organization: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for result in plugins.for_organization("lavterskel_signing_providers", organization.enabled_plugins)(organization=organization):
        for provider in result or ():
            out.setdefault(provider.key, provider)
    return out
