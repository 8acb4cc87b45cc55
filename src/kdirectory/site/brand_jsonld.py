"""schema.org JSON-LD of a brand site (``[site] kind = "brand"``): the clinic group as a
``MedicalOrganization``, each location as the directory's ``MedicalClinic`` node with the
group as its ``parentOrganization``, and the clinicians of a location.

Physicians (credentials MD or DO) are ``IndividualPhysician`` nodes that practice at the
location; other clinicians are ``Person`` nodes with their job title and credentials.
Testimonials are never turned into ``Review`` or ``AggregateRating``: a business's words
about itself are not reviews (and search engines ignore, or penalise, self-serving ones).
As on a directory, nothing here is said that the page does not show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kdirectory.record.slugs import slugify
from kdirectory.site import jsonld, urls
from kdirectory.site.jsonld import Node

if TYPE_CHECKING:
    from kdirectory.record.config import SiteConfig
    from kdirectory.record.model import Clinic, Provider
    from kdirectory.site.places import Location
    from kdirectory.site.views import ClinicView

PHYSICIAN_CREDENTIALS = frozenset({"MD", "DO"})
"""Credentials that make a clinician a physician (a doctor of medicine or of osteopathic
medicine); written with or without dots (``M.D.``)."""


def organization_id(base_url: str) -> str:
    """The ``@id`` of the clinic group, the same on every page: ``{base_url}/#organization``."""
    return f"{base_url}/#organization"


def credentials(provider: Provider) -> tuple[str, ...]:
    """A clinician's credentials as written, one by one: ``"MD, PhD"`` -> ``("MD", "PhD")``."""
    if not provider.credentials:
        return ()
    return tuple(part.strip() for part in re.split(r"[,;/]", provider.credentials) if part.strip())


def is_physician(provider: Provider) -> bool:
    """The clinician lists MD or DO (``M.D.``, ``md`` and ``D.O.`` too) among their
    credentials."""
    return any(
        re.sub(r"[.\s]", "", credential).upper() in PHYSICIAN_CREDENTIALS
        for credential in credentials(provider)
    )


def organization(
    config: SiteConfig,
    *,
    logo_url: str | None,
    telephone: str | None,
    locations: list[str],
) -> Node:
    """The clinic group: name, url, logo and main line (``telephone``, E.164, only when the
    page shows it), and its locations (``locations``: clinic ``@id`` s) as departments."""
    assert config.brand is not None
    node: Node = {
        "@type": "MedicalOrganization",
        "@id": organization_id(config.site.base_url),
        "name": config.brand.name,
        "url": config.brand.url,
    }
    if logo_url:
        node["logo"] = logo_url
    if telephone:
        node["telephone"] = telephone
    if locations:
        node["department"] = [{"@id": clinic} for clinic in locations]
    return node


def location(
    config: SiteConfig,
    clinic: Clinic,
    view: ClinicView,
    place: Location | None,
    payment_labels: Mapping[str, str],
    *,
    main_entity: bool,
) -> Node:
    """One location: the directory's ``MedicalClinic`` node, part of the clinic group.

    ``main_entity``: the page is the location's own page; elsewhere (a city page that shows
    the location among others) the node does not claim to be the page's subject.
    """
    node = jsonld.medical_clinic(config, clinic, view, place, payment_labels)
    if "url" not in node:  # on the brand's own site, a location's page is its web page
        node = {
            **dict(list(node.items())[:3]),
            "url": urls.absolute(config.site.base_url, view.path),
            **node,
        }
    node["parentOrganization"] = {"@id": organization_id(config.site.base_url)}
    if not main_entity:
        node.pop("mainEntityOfPage", None)
    return node


def provider_id(base_url: str, slug: str, provider: Provider) -> str:
    """The ``@id`` of a clinician at one location (a clinician of two locations is listed by
    each, with each location's address)."""
    return f"{urls.absolute(base_url, urls.clinic(slug))}#provider-{slugify(provider.name)}"


def providers(config: SiteConfig, clinic: Clinic) -> list[Node]:
    """The clinicians of ``clinic`` as the page lists them: name, credentials, role, NPI and
    bio."""
    base = config.site.base_url
    assert clinic.slug is not None
    clinic_id = urls.clinic_id(base, clinic.slug)
    nodes: list[Node] = []
    for provider in clinic.providers:
        node: Node = {"@id": provider_id(base, clinic.slug, provider), "name": provider.name}
        if is_physician(provider):
            node = {"@type": "IndividualPhysician", **node, "practicesAt": {"@id": clinic_id}}
            # Google reads a physician as a local business: where they practise is the
            # location's address, which the page shows beside them.
            node["address"] = jsonld.postal_address(clinic)
        else:
            node = {"@type": "Person", **node, "worksFor": {"@id": clinic_id}}
            if provider.role:
                node["jobTitle"] = provider.role
        held = credentials(provider)
        if held:
            node["hasCredential"] = [
                {"@type": "EducationalOccupationalCredential", "credentialCategory": credential}
                for credential in held
            ]
        if provider.npi:
            node["identifier"] = {
                "@type": "PropertyValue",
                "propertyID": "NPI",
                "value": provider.npi,
            }
        if provider.bio:
            node["description"] = provider.bio
        nodes.append(node)
    return nodes
