"""Rules about one valid record as a whole, about the records of a directory together, about
the records of a brand site, and about the coordinates geocoding finds for them."""

from __future__ import annotations

from kdirectory.catalogue.rule import GEOCODE, VALIDATE, Rule

RECORD = (
    Rule(
        "address.po_box",
        "warning",
        VALIDATE,
        "the street address is not a PO box (patients cannot visit one)",
        "give the clinic's street address, or leave street out for a service-area clinic",
    ),
    Rule(
        "address.zip_unknown",
        "error",
        VALIDATE,
        "the ZIP code exists",
        "check the ZIP on the clinic's website or at usps.com",
    ),
    Rule(
        "address.zip_state",
        "error",
        VALIDATE,
        "the ZIP code is in the record's state",
        "fix the ZIP or the region",
    ),
    Rule(
        "address.city_zip",
        "warning",
        VALIDATE,
        "the city is a name USPS accepts for the ZIP code",
        "check the city and the ZIP; a neighbourhood name may need the city's",
    ),
    Rule(
        "geo.far_from_zip",
        "warning",
        VALIDATE,
        "coordinates written in the record are near the ZIP code's centre",
        "check for swapped or mistyped coordinates (US longitudes are negative)",
    ),
    Rule(
        "timezone.zip",
        "warning",
        VALIDATE,
        "a time zone written in the record is the ZIP code's",
        "leave timezone out to use the ZIP's",
    ),
    Rule(
        "therapies.none",
        "warning",
        VALIDATE,
        "the record lists at least one therapy (otherwise the site never says the clinic "
        "offers ketamine therapy)",
        "add the therapies the clinic's own information names, or [ketamine-therapy] when "
        "it says only 'ketamine therapy'",
    ),
    Rule(
        "therapies.rems",
        "error",
        VALIDATE,
        "a clinic offering Spravato (esketamine) is REMS-certified",
        "set spravato_rems_certified: true once certified, or remove the therapy",
    ),
    Rule(
        "therapies.rems_unused",
        "warning",
        VALIDATE,
        "a REMS-certified clinic lists esketamine-nasal-spray",
        "add esketamine-nasal-spray to therapies if the clinic offers it",
    ),
    Rule(
        "phone.tracking_same",
        "warning",
        VALIDATE,
        "a tracking phone is not the main phone again",
        "leave tracking_phone out unless it is a separate call-tracking number",
    ),
    Rule(
        "url.http",
        "warning",
        VALIDATE,
        "links to the clinic's pages use https",
        "use the https:// address",
    ),
    Rule(
        "service_area.own_city",
        "warning",
        VALIDATE,
        "the service area does not list the clinic's own city",
        "list only the other cities it serves",
    ),
    Rule(
        "special_hours.duplicate",
        "error",
        VALIDATE,
        "special hours give each date once",
        "keep one entry per date",
    ),
    Rule(
        "testimonials.future_date",
        "error",
        VALIDATE,
        "a testimonial's date is not in the future",
        "give the date the patient gave the testimonial, or leave date out",
    ),
    Rule(
        "photos.alt_file_name",
        "warning",
        VALIDATE,
        "a photo's alternative text describes it, rather than repeating its file name",
        "say in one sentence what the photo shows",
    ),
    Rule(
        "photos.alt_redundant",
        "warning",
        VALIDATE,
        'a photo\'s alternative text does not start with "image of" or "photo of" (screen '
        "readers already say it is an image)",
        "start with what the photo shows",
    ),
)

DIRECTORY = (
    Rule(
        "directory.slug_collision",
        "error",
        VALIDATE,
        "no two clinics have the same slug (the same page)",
        "give each clinic its own slug: add `slug:` with a different value",
    ),
    Rule(
        "directory.same_address",
        "error",
        VALIDATE,
        "no two records are at the same address and suite (compared in USPS form)",
        "one file per location: merge the two records, or correct the suite",
    ),
    Rule(
        "directory.shared_phone",
        "warning",
        VALIDATE,
        "no phone is shared by clinics at different addresses, unless they share a brand",
        "if both are branches of one practice, give both the same `brand:`",
    ),
    Rule(
        "directory.similar_name",
        "warning",
        VALIDATE,
        "no two clinics in one city have nearly the same name",
        "the same clinic twice? merge the records, or make the names distinct",
    ),
    Rule(
        "directory.duplicate_name_geo",
        "warning",
        VALIDATE,
        "no two clinics with nearly the same name are at the same coordinates",
        "the same clinic twice? merge the records; branches need distinct names",
    ),
)

BRAND = (
    Rule(
        "brand.mismatch",
        "error",
        VALIDATE,
        "on a brand site, every record's brand is the [brand] name of kdirectory.toml",
        "write the [brand] name as the record's brand, or move the clinic out of the brand "
        "site's records",
    ),
    Rule(
        "brand.service_area_far",
        "error",
        VALIDATE,
        "on a brand site, every city of a service area is within 60 miles (straight line) of "
        "a location that serves it",
        "remove the city from service_area, or list it on a location within 60 miles of it",
    ),
    Rule(
        "brand.service_area_unplaced",
        "warning",
        VALIDATE,
        "on a brand site, every city of a service area, and a location serving it, can be "
        "placed by the gazetteer, so that the 60-mile rule can be checked",
        "write the city as USPS names it (City, or City, ST); give the location a geo or ZIP",
    ),
    Rule(
        "brand.dark_button_text",
        "warning",
        VALIDATE,
        "white text is readable (4.5:1) on the brand's primary colour; when only the theme's "
        "dark text is, buttons use dark text, and this says so",
        "nothing to do if dark button text suits the brand; for white text, use the darker "
        "primary the message suggests",
    ),
)

GEOCODING = (
    Rule(
        "geocodes.unreadable",
        "error",
        VALIDATE,
        "data/geocodes.json, the saved geocoding results, can be read",
        "fix the file, or run `kdirectory geocode`: it sets an unreadable file aside and "
        "saves the results again",
    ),
    Rule(
        "geocode.far_from_zip",
        "warning",
        GEOCODE,
        "the place a geocoder found is near the centre of the record's ZIP code",
        "check the street and ZIP, or set `geo` by hand",
    ),
)

RULES = (*RECORD, *DIRECTORY, *BRAND, *GEOCODING)
