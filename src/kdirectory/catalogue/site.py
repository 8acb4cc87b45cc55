"""Rules about a built site, which ``kdirectory check`` (and every build, before it
publishes) reads page by page: the head, headings, images, links, redirects, JSON-LD, the
sitemap, robots.txt and near-duplicate pages."""

from __future__ import annotations

from kdirectory.catalogue.rule import CHECK, Rule

TITLE_LENGTH = (30, 60)
"""Characters a page title should have: search results cut longer ones, shorter ones say
too little."""
DESCRIPTION_LENGTH = (70, 160)
"""Characters a meta description should have."""

_REBUILD_NAP = "JSON-LD must describe what the page shows; rebuild, or fix the template"

RULES = (
    Rule(
        "html.lang",
        "error",
        CHECK,
        "the <html> element has a lang attribute",
        "set [site] language in kdirectory.toml, or add lang to <html> in your base template",
    ),
    Rule(
        "html.h1",
        "error",
        CHECK,
        "exactly one <h1> per page",
        "give the page one main heading; make the others <h2>",
    ),
    Rule(
        "html.img-alt",
        "error",
        CHECK,
        "every <img> has an alt attribute",
        'describe the image in alt="…", or use alt="" if it is decorative',
    ),
    Rule(
        "html.unreadable",
        "error",
        CHECK,
        "the file parses as an HTML document",
        "rebuild the site; the file is damaged or is not HTML",
    ),
    Rule(
        "head.title",
        "error",
        CHECK,
        "exactly one non-empty <title>",
        "give the page one <title> in its template",
    ),
    Rule(
        "head.title-length",
        "warning",
        CHECK,
        f"the title is {TITLE_LENGTH[0]}-{TITLE_LENGTH[1]} characters",
        f"search results cut titles past about {TITLE_LENGTH[1]} characters and short ones "
        "say too little",
    ),
    Rule(
        "head.title-duplicate",
        "error",
        CHECK,
        "no two pages share a title",
        "make each title name what only that page covers (the city, the clinic)",
    ),
    Rule(
        "head.description",
        "error",
        CHECK,
        'exactly one non-empty <meta name="description">',
        "add a meta description to the page's template",
    ),
    Rule(
        "head.description-length",
        "warning",
        CHECK,
        f"the meta description is {DESCRIPTION_LENGTH[0]}-{DESCRIPTION_LENGTH[1]} characters",
        "write one or two sentences that summarise the page",
    ),
    Rule(
        "head.description-duplicate",
        "error",
        CHECK,
        "no two pages share a meta description",
        "describe what only this page covers",
    ),
    Rule(
        "head.viewport",
        "error",
        CHECK,
        'a <meta name="viewport"> with width=device-width',
        'add <meta name="viewport" content="width=device-width, initial-scale=1">',
    ),
    Rule(
        "head.canonical",
        "error",
        CHECK,
        'exactly one absolute <link rel="canonical">',
        "set [site] base_url in kdirectory.toml (https://…) and rebuild",
    ),
    Rule(
        "head.canonical-self",
        "error",
        CHECK,
        "the canonical URL is the page's own URL",
        "a page must name itself as canonical; fix the template or the base URL",
    ),
    Rule(
        "links.broken",
        "error",
        CHECK,
        "every internal link leads to a file in the site",
        "fix the link, or restore the page it points to",
    ),
    Rule(
        "links.anchor",
        "error",
        CHECK,
        "every #fragment exists on the page it points to",
        "add the id to the target element, or fix the link",
    ),
    Rule(
        "links.redirect-target",
        "error",
        CHECK,
        "a redirect page (a refresh to another URL) leads to a page of the site that is not "
        "itself a redirect, and its canonical link names that page",
        "rebuild the site; if the page it led to is gone for good, prune the redirect "
        "(kdirectory redirects --prune OLD_PATH)",
    ),
    Rule(
        "links.redirects-file",
        "error",
        CHECK,
        "every line of _redirects is a permanent redirect with a redirect page at its old path "
        "leading to the same new path, and every redirect page has its line",
        "rebuild the site: kdirectory writes _redirects and the redirect pages together; do "
        "not edit either by hand",
    ),
    Rule(
        "jsonld.parse",
        "error",
        CHECK,
        "every JSON-LD block is valid JSON",
        "fix the template that writes the block; data must go through the jsonld filter",
    ),
    Rule(
        "jsonld.unknown-type",
        "error",
        CHECK,
        "every @type exists in schema.org",
        "use a schema.org type (check the spelling)",
    ),
    Rule(
        "jsonld.unknown-property",
        "error",
        CHECK,
        "every property exists in schema.org",
        "use a schema.org property (check the spelling)",
    ),
    Rule(
        "jsonld.not-allowed",
        "error",
        CHECK,
        "every property is allowed on its node's type",
        "move the property to a type it belongs on, or drop it",
    ),
    Rule(
        "jsonld.range",
        "error",
        CHECK,
        "property values have the expected kind",
        "give the value the type schema.org expects (a URL, a date, a node, …)",
    ),
    Rule(
        "jsonld.retired",
        "warning",
        CHECK,
        "no retired or superseded schema.org terms",
        "use the term schema.org names as its replacement",
    ),
    Rule(
        "jsonld.structure",
        "error",
        CHECK,
        "the @context is schema.org and every node has a @type",
        "emit one schema.org @graph per page",
    ),
    Rule(
        "jsonld.google-required",
        "error",
        CHECK,
        "LocalBusiness/MedicalClinic nodes have Google's required name and address",
        "give the clinic a name and an address (city and state at least)",
    ),
    Rule(
        "jsonld.google-recommended",
        "warning",
        CHECK,
        "LocalBusiness nodes have Google's recommended telephone, url and openingHours",
        "add the clinic's phone, website and hours to its record",
    ),
    Rule(
        "jsonld.nap-name",
        "error",
        CHECK,
        "the clinic's JSON-LD name is the page's h1 or, for a location among several, is "
        "shown in the element marked as showing it",
        _REBUILD_NAP,
    ),
    Rule(
        "jsonld.nap-phone",
        "error",
        CHECK,
        "the JSON-LD telephone is a phone number the page shows",
        "show the clinic's own number on the page (a tracking number stays out of JSON-LD)",
    ),
    Rule(
        "jsonld.nap-address",
        "error",
        CHECK,
        "the JSON-LD address is the address the page shows",
        _REBUILD_NAP,
    ),
    Rule(
        "jsonld.nap-hours",
        "error",
        CHECK,
        "JSON-LD opening hours equal the page's hours table (for a location among several, "
        "the one in the element marked as showing it)",
        _REBUILD_NAP,
    ),
    Rule(
        "jsonld.nap-block",
        "error",
        CHECK,
        "a clinic's JSON-LD node that is not the page's subject (a location on a brand city "
        "page) is shown by an element that carries the node's @id in a data-jsonld-id "
        "attribute; its name, address, phone and hours are compared with that element",
        "mark the card or section that shows the clinic with data-jsonld-id=\"<the node's "
        '@id>" in the template (the packaged brand city page does), or rebuild',
    ),
    Rule(
        "sitemap.missing",
        "error",
        CHECK,
        "sitemap.xml exists and parses",
        "rebuild the site; kdirectory writes sitemap.xml",
    ),
    Rule(
        "sitemap.unlisted",
        "error",
        CHECK,
        "the sitemap lists every indexable page",
        "rebuild the site, or mark the page noindex if it should not be found",
    ),
    Rule(
        "sitemap.noindex",
        "error",
        CHECK,
        "the sitemap lists no noindex page",
        "drop the page from the sitemap, or let it be indexed",
    ),
    Rule(
        "sitemap.unknown",
        "error",
        CHECK,
        "every sitemap URL is a page of the site",
        "rebuild the site; the sitemap names a page that does not exist",
    ),
    Rule("robots.missing", "error", CHECK, "robots.txt exists", "rebuild the site"),
    Rule(
        "robots.sitemap",
        "error",
        CHECK,
        "robots.txt names the sitemap with an absolute URL",
        "add 'Sitemap: <base_url>/sitemap.xml' to robots.txt",
    ),
    Rule(
        "robots.blocked",
        "error",
        CHECK,
        "robots.txt does not block the whole site",
        "remove 'Disallow: /' for User-agent: *",
    ),
    Rule(
        "content.near-duplicate",
        "error",
        CHECK,
        "no two indexable pages are near-duplicates once their names are set aside (doorway "
        "pages; shingle Jaccard at the build's uniqueness threshold)",
        "add facts only this page has, merge the pages, or let the build mark it noindex",
    ),
)
