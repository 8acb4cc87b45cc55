"""The site: the model of the directory as pages need it, URLs, views and facts, the page
plan, JSON-LD, templates, the uniqueness gate, site files, the build and publishing."""
