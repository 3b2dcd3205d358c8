"""Kinds of organisation and of credential."""

from enum import StrEnum


class OrgKind(StrEnum):
    national_coordinator = "national_coordinator"
    sector_department = "sector_department"
    provincial_department = "provincial_department"
    state_council_office = "state_council_office"
    professional_institution = "professional_institution"
    network_operator = "network_operator"


class CredentialKind(StrEnum):
    session = "session"  # console cookie, with a CSRF token
    access = "access"  # short-lived bearer token from POST /api/v1/auth/token
    api = "api"  # long-lived, named, scoped API token
