"""schema.org JSON-LD for each page: one ``@graph`` per page, stable ``@id``s,
and nothing the page does not also show.

Checked against the schema.org 30.0 vocabulary (``jsonld_vocab``): ``parentOrganization``
stands for the brand (``branchOf`` is superseded), ``isAcceptingNewPatients`` and
``knowsLanguage`` are pending-area terms that Google reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kdirectory.record import vocabulary
from kdirectory.record.config import SiteConfig
from kdirectory.record.hours import Interval
from kdirectory.record.model import Clinic
from kdirectory.record.slugs import slugify
from kdirectory.site import urls
from kdirectory.site.places import City, Location
from kdirectory.site.views import ClinicView, Link

Node = dict[str, Any]
SCHEMA = "https://schema.org/"


def graph(*nodes: Node | None) -> Node:
    """Wrap nodes in one ``@graph`` document."""
    return {"@context": "https://schema.org", "@graph": [n for n in nodes if n]}


def breadcrumbs(page_url: str, base_url: str, crumbs: list[Link]) -> Node:
    """BreadcrumbList matching the visible breadcrumb trail."""
    return {
        "@type": "BreadcrumbList",
        "@id": f"{page_url}#breadcrumbs",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": crumb.name, "item": base_url + crumb.path}
            for i, crumb in enumerate(crumbs, start=1)
        ],
    }


def web_page(
    config: SiteConfig,
    page_url: str,
    title: str,
    description: str,
    about: Node | None,
    *,
    medical: bool = True,
) -> Node:
    """The page itself: MedicalWebPage with the reviewer and review date from config."""
    base = config.site.base_url
    node: Node = {
        "@type": "MedicalWebPage" if medical else "WebPage",
        "@id": f"{page_url}#webpage",
        "url": page_url,
        "name": title,
        "description": description,
        "inLanguage": config.site.language,
        "isPartOf": {"@id": f"{base}/#website"},
    }
    if about:
        node["about"] = about
    if medical:
        node["medicalAudience"] = {"@type": "Patient"}
        review = config.review
        if review.last_reviewed:
            node["lastReviewed"] = review.last_reviewed.isoformat()
        if review.reviewed_by:
            node["reviewedBy"] = {"@type": "Person", "name": review.reviewed_by}
    return node


def _time(minutes: int) -> str:
    return "23:59" if minutes == 1440 else f"{minutes // 60:02d}:{minutes % 60:02d}"


def _opening_hours(clinic: Clinic) -> list[Node]:
    specs: list[Node] = []
    if clinic.hours is None:
        return specs
    for day, shifts in clinic.hours.days():
        for shift in shifts or []:  # split shifts stay separate entries; closed days have none
            specs.append(_spec(shift, dayOfWeek=SCHEMA + day.capitalize()))
    return specs


def _spec(shift: Interval, **extra: str) -> Node:
    return {
        "@type": "OpeningHoursSpecification",
        **extra,
        "opens": _time(shift.opens),
        "closes": _time(shift.closes),
    }


def _special_hours(clinic: Clinic) -> list[Node]:
    specs: list[Node] = []
    for special in sorted(clinic.special_hours, key=lambda s: s.date):
        day = special.date.isoformat()
        if special.closed:
            specs.append(
                {"@type": "OpeningHoursSpecification", "validFrom": day, "validThrough": day,
                 "opens": "00:00", "closes": "00:00"}
            )  # fmt: skip
        for shift in special.hours or []:
            specs.append(_spec(shift, validFrom=day, validThrough=day))
    return specs


def postal_address(clinic: Clinic) -> Node:
    """The visible address as a PostalAddress (street and unit on one line)."""
    address = clinic.address
    node: Node = {"@type": "PostalAddress"}
    if address.street:
        node["streetAddress"] = ", ".join(x for x in (address.street, address.unit) if x)
    node["addressLocality"] = address.city
    node["addressRegion"] = address.region
    if address.postal_code:
        node["postalCode"] = address.postal_code
    node["addressCountry"] = address.country
    return node


def medical_clinic(
    config: SiteConfig,
    clinic: Clinic,
    view: ClinicView,
    location: Location | None,
    payment_labels: Mapping[str, str],
) -> Node:
    """The MedicalClinic node of a clinic page; ``payment_labels`` names the payment
    methods as the page does (``content/labels.yaml``)."""
    base = config.site.base_url
    assert clinic.slug is not None
    node: Node = {
        "@type": "MedicalClinic",
        "@id": urls.clinic_id(base, clinic.slug),
        "name": clinic.name,
        "mainEntityOfPage": {"@id": f"{base}{view.path}#webpage"},
    }
    if clinic.url:
        node["url"] = clinic.url
    if clinic.phone:
        node["telephone"] = clinic.phone.e164  # never the tracking number
    if clinic.email:
        node["email"] = clinic.email
    node["address"] = postal_address(clinic)
    if location is not None and location.is_precise:
        node["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": round(location.point.lat, 6),
            "longitude": round(location.point.lon, 6),
        }
    if view.map_url:
        node["hasMap"] = view.map_url
    area = (
        [clinic.address.city, *view.service_area_names]
        if clinic.is_service_area or view.service_area_names
        else []
    )
    if area:
        node["areaServed"] = [{"@type": "City", "name": name} for name in area]
    hours = _opening_hours(clinic)
    if hours:
        node["openingHoursSpecification"] = hours
    special = _special_hours(clinic)
    if special:
        node["specialOpeningHoursSpecification"] = special
    if clinic.specialties:
        specialties = vocabulary.specialties()
        node["medicalSpecialty"] = [specialties[s].schema_url for s in clinic.specialties]
    if clinic.therapies:
        node["availableService"] = [
            {"@type": "MedicalTherapy", "name": t.name} for t in view.therapies
        ]
    if clinic.accepting_new_patients is not None:
        node["isAcceptingNewPatients"] = clinic.accepting_new_patients
    if clinic.price_range:
        node["priceRange"] = clinic.price_range
    if clinic.payment:
        node["paymentAccepted"] = ", ".join(payment_labels[p] for p in clinic.payment)
    if clinic.languages:
        node["knowsLanguage"] = list(clinic.languages)
    if clinic.brand and clinic.brand != clinic.name:
        node["parentOrganization"] = {
            "@type": "MedicalOrganization",
            "@id": f"{base}/#brand-{slugify(clinic.brand)}",
            "name": clinic.brand,
        }
    if clinic.same_as:
        node["sameAs"] = list(clinic.same_as)
    if view.photos:  # each photo at its widest, as JPEG (or PNG): what every reader takes
        node["image"] = [urls.absolute(base, "/" + p.largest.path) for p in view.photos]
    return node


def item_list(page_url: str, base_url: str, views: list[ClinicView], name: str) -> Node:
    """The clinics listed on a city or state page, by page URL, in page order."""
    return {
        "@type": "ItemList",
        "@id": f"{page_url}#clinics",
        "name": name,
        "numberOfItems": len(views),
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": i,
                "url": base_url + v.path,
                "name": v.name,
                "item": {"@id": urls.clinic_id(base_url, v.slug)},
            }
            for i, v in enumerate(views, start=1)
        ],
    }


def link_list(list_id: str, base_url: str, links: list[Link], name: str) -> Node:
    """Pages listed on a page (a state's city pages), in page order; ``list_id`` is the
    list's ``@id``."""
    return {
        "@type": "ItemList",
        "@id": list_id,
        "name": name,
        "numberOfItems": len(links),
        "itemListElement": [
            {"@type": "ListItem", "position": i, "url": base_url + link.path, "name": link.name}
            for i, link in enumerate(links, start=1)
        ],
    }


def faq_page(page_url: str, items: list[dict[str, str]]) -> Node | None:
    """FAQPage for the visible questions and answers."""
    if not items:
        return None
    return {
        "@type": "FAQPage",
        "@id": f"{page_url}#faq",
        "mainEntity": [
            {"@type": "Question", "name": item["question"],
             "acceptedAnswer": {"@type": "Answer", "text": item["answer"]}}
            for item in items
        ],
    }  # fmt: skip


def city_place(city: City) -> Node:
    """The city a page is about."""
    return {"@type": "City", "name": city.label}


def medical_condition(page_url: str, slug: str, therapies: list[str]) -> Node:
    """MedicalCondition with its ICD-10-CM codes and the therapies that were studied for it."""
    condition = vocabulary.conditions()[slug]
    node: Node = {
        "@type": "MedicalCondition",
        "@id": f"{page_url}#condition",
        "name": condition.name,
        "code": [
            {"@type": "MedicalCode", "codeValue": code.code, "codingSystem": "ICD-10-CM"}
            for code in condition.codes
        ],
    }
    if therapies:
        node["possibleTreatment"] = [
            {"@type": "MedicalTherapy", "name": name} for name in therapies
        ]
    return node


def website(config: SiteConfig) -> Node:
    """WebSite of the home page."""
    base = config.site.base_url
    return {
        "@type": "WebSite",
        "@id": f"{base}/#website",
        "url": f"{base}/",
        "name": config.site.name,
        "inLanguage": config.site.language,
        "publisher": {"@id": f"{base}/#organization"},
    }


def organization(config: SiteConfig) -> Node:
    """The directory's publisher."""
    base = config.site.base_url
    return {
        "@type": "Organization",
        "@id": f"{base}/#organization",
        "name": config.site.name,
        "url": f"{base}/",
    }
