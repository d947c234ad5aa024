"""The security suite (issue 6): the attacks a public-sector app gets, one file per family.

- ``test_id_guessing``: a reporter of one unit asking for another unit's objects by id or
  code, on every URL that takes one (enumerated from the URLconf).
- ``test_csrf``: every POST endpoint refuses a request without a valid token.
- ``test_stored_xss``: hostile text in everything a user writes, escaped in pages, SVG,
  the HTML behind the PDFs, the PDFs and the JSON; GET filters echoed back.
- ``test_formula_injection``: text that starts like a formula, neutralised in the
  workbooks and csv people download.
- ``test_path_traversal``: evidence stored under random names, served by id only.
- ``test_open_redirect``: ``next`` and ``Referer`` never leave the site.
- ``test_mass_assignment``: posted fields a role may not set are ignored or refused.
- ``test_headers``: clickjacking, cookies and errors as a browser really receives them.

Part of the suite, and not repeated here:

- ``tests/test_security_settings.py``: production cookies (Secure, HttpOnly, SameSite),
  HSTS, ``X_FRAME_OPTIONS = DENY`` in production, proxy trust, weak passwords, and the
  500 page that shows no traceback.
- ``tests/test_evidence.py``: uploads accepted by content, not by name (an ``.exe``
  renamed ``.pdf`` is refused), size limit, who downloads and deletes evidence, nosniff.
- ``tests/test_csp.py``: the Content-Security-Policy each page sends (no inline script,
  ``frame-ancestors 'none'``).
- ``tests/test_login_throttling.py``: lockout after failed logins (django-axes).
- ``tests/test_charts.py``: every chart escapes hostile text.
- ``tests/test_import_export.py``, ``tests/test_exports.py``: formula escaping of the
  import formats and of the scorecard workbook, cell by cell.
"""
