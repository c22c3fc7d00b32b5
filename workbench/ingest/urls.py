"""One spelling per article URL, so the same story from two feeds is recognised as one.

The same article reaches the desk as ``https://Site.example/a?utm_source=rss#top`` from a
feed, ``https://site.example:443/a`` from a paste and ``https://site.example/a?fbclid=…``
from social media. Deduplication compares canonical forms, so this module removes only what
cannot change which document the server returns: letter case of the scheme and host, default
ports, the fragment, and parameters that exist purely to track the click. Everything else —
the path's case, other parameters and their order, percent-encoding — is kept as sent, because
servers are entitled to treat those as different documents.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

__all__ = ["TRACKING_PARAMETERS", "TRACKING_PREFIXES", "canonical_url", "is_tracking_parameter"]

#: Query parameters (compared case-insensitively) that only record how a reader arrived:
#: Google Analytics/Ads (utm_* below, gclid, gclsrc, dclid, gbraid, wbraid, _ga, _gl, srsltid),
#: Facebook/Instagram (fbclid, igshid, igsh), Microsoft (msclkid, ocid), Mailchimp (mc_cid,
#: mc_eid), Yandex (yclid, _openstat), Twitter/X (ref_src, ref_url, twclid), TikTok (ttclid),
#: LinkedIn (li_fat_id), HubSpot (_hsenc, _hsmi), Marketo (mkt_tok), Omeda (oly_anon_id,
#: oly_enc_id), Vero (vero_id, vero_conv), Wicked Reports (wickedid), Adobe (s_cid, cmpid),
#: AT Internet (at_medium, at_campaign), and newspaper share links (smid, ncid).
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "_openstat",
        "at_campaign",
        "at_medium",
        "cmpid",
        "dclid",
        "fbclid",
        "gbraid",
        "gclid",
        "gclsrc",
        "igsh",
        "igshid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "msclkid",
        "ncid",
        "ocid",
        "oly_anon_id",
        "oly_enc_id",
        "ref_src",
        "ref_url",
        "s_cid",
        "smid",
        "srsltid",
        "ttclid",
        "twclid",
        "vero_conv",
        "vero_id",
        "wbraid",
        "wickedid",
        "yclid",
    }
)
#: Whole families of campaign parameters: Google's utm_*, HubSpot ads' hsa_*, Matomo/Piwik's
#: pk_* and mtm_*.
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "hsa_", "pk_", "mtm_")

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def is_tracking_parameter(name: str) -> bool:
    """Whether a query parameter's name (raw, possibly percent-encoded) is a tracking tag."""
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def _host_and_port(netloc: str, scheme: str) -> str:
    """``netloc`` with the host lowercased and a default or empty port removed.

    User information before ``@`` keeps its case: it is a credential, not a name.
    """
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal: the port, if any, follows the "]"
        end = hostport.find("]")
        host, port = (hostport, "") if end < 0 else (hostport[: end + 1], hostport[end + 1 :])
        port = port[1:] if port.startswith(":") else port
    else:
        host, _, port = hostport.partition(":")
    host = host.lower()
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{userinfo}{at}{host}"


def _filtered_query(query: str) -> str:
    """The query without tracking parameters or empty pieces, others in their order."""
    kept = [
        part
        for part in query.split("&")
        if part and not is_tracking_parameter(part.partition("=")[0])
    ]
    return "&".join(kept)


def canonical_url(url: str) -> str:
    """The canonical spelling of an http(s) URL; anything else comes back merely stripped.

    Idempotent: ``canonical_url(canonical_url(u)) == canonical_url(u)``.
    """
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in _DEFAULT_PORTS:
        return url
    rest = rest.partition("#")[0]
    rest, has_query, query = rest.partition("?")
    # The authority ends at the first "/" (the path); a query or fragment was cut off above.
    netloc, slash, path = rest.partition("/")
    path = f"/{path}" if slash else "/"
    query = _filtered_query(query) if has_query else ""
    result = f"{scheme}://{_host_and_port(netloc, scheme)}{path}"
    return f"{result}?{query}" if query else result
