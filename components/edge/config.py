"""The edge concern's config (`platform:edge`): a Cloudflare zone, its TLS settings, origin certificate, cache,
WAF, rate-limiting and response-header rules, all validated against the zone's plan (`components/edge/plans.py`).

Every rule expression is generated from this config (`components/edge/rules.py`) and parsed here with
Cloudflare's own parser, so a config whose rules Cloudflare would refuse stops at plan time, naming the rule.
No provider import: `pulumi_cloudflare` costs 2.4 s and is imported by the component only.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment, full_match, key_error, shown
from components.edge import rules
from components.edge.countries import COUNTRY_CODES
from components.edge.plans import (
    CHARACTERISTICS,
    CREDENTIAL_METHODS,
    MANAGED_RULESET_NAMES,
    MITIGATION_TIMEOUTS,
    ORIGIN_CERTIFICATE_VALIDITY_DAYS,
    PLAN_LIMITS,
    RATELIMIT_PERIODS,
    Limit,
    ManagedRuleset,
    Plan,
    methods_countable,
)

# A lower-case DNS name of two or more labels (the zone's apex).
_DOMAIN = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# A record's name relative to the zone: "@" (apex), "*" (wildcard) or one or more labels ("www", "api.eu").
_RELATIVE_NAME = re.compile(r"@|(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}"
                            r"[a-z0-9])?)*|\*")
# A record's target host (CNAME, MX): two or more labels; any case (Cloudflare keeps a CNAME target's case:
# terraform-provider-cloudflare internal/services/dns_record/testdata/dns_record_cname_case.tf), no trailing dot.
_TARGET_HOST = re.compile(r"(?=.{1,253}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)+"
                          r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# What tells apart records that share a name and type (part of the Pulumi resource name).
_RECORD_KEY = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
_CLOUDFLARE_ID = re.compile(r"[0-9a-f]{32}")
_SLUG = re.compile(r"[a-z][a-z0-9_]{0,31}")
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}")  # an HTTP token (RFC 9110 field-name)
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,4096}")  # printable ASCII: no CR/LF, no header injection
_HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: HSTS: six months is the baseline's minimum (security-baseline.md, Cloudflare zone: "HSTS on (max-age >= 6 months,
#: includeSubDomains)"); the policy pack enforces the same number (policies/baseline/cloudflare/zone.py).
HSTS_MIN_MAX_AGE = 15_552_000
HSTS_PRELOAD_MIN_MAX_AGE = 31_536_000  # hstspreload.org submission requirements: a year, includeSubDomains
#: HSTS: the longest max-age Cloudflare offers. Its HSTS page lists Max Age Header options "Disable, or a range from 1
#: to 12 months" (https://developers.cloudflare.com/ssl/edge-certificates/additional-options/
#: http-strict-transport-security/); 63072000 through the API left the dashboard showing "Max-Age: %{time}"
#: (terraform-provider-cloudflare#1111). A year still meets the preload list's minimum.
HSTS_MAX_MAX_AGE = 31_536_000
HSTS_SOURCE = ("Cloudflare's HSTS settings offer 1 to 12 months: developers.cloudflare.com/ssl/edge-certificates/"
               "additional-options/http-strict-transport-security/")


def _paths(values: list[str], *, what: str = "path", anchored: bool = True) -> list[str]:
    """Paths as the rules language compares them: start with '/' (`anchored`; else not empty), no control
    characters, each once."""
    for value in values:
        start_ok = value.startswith("/") if anchored else bool(value)
        if not start_ok or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value) or len(value) > 512:
            start = "start with '/'" if anchored else "be non-empty"
            raise PydanticCustomError(
                "edge_path", "each {what} must {start} and hold no control characters (max 512); got {value}",
                {"what": what, "start": start, "value": shown(value)},
            )
    if len(set(values)) != len(values):
        raise PydanticCustomError("edge_duplicate", "lists a {what} twice", {"what": what})
    return values


def _tokens(values: list[str], pattern: str, what: str) -> list[str]:
    for value in values:
        if not full_match(pattern, value):
            raise PydanticCustomError("edge_token", "each {what} must match {pattern}; got {value}",
                                      {"what": what, "pattern": pattern, "value": shown(value)})
    if len(set(values)) != len(values):
        raise PydanticCustomError("edge_duplicate", "lists a {what} twice", {"what": what})
    return values


class HstsConfig(ConcernConfig):
    """HSTS through the zone's `security_header` setting (the snake_case keys Cloudflare converges on)."""

    concern: ClassVar[str] = "edge.hsts"

    max_age: int = Field(default=HSTS_MAX_MAX_AGE, ge=HSTS_MIN_MAX_AGE, le=HSTS_MAX_MAX_AGE,
                         description="HSTS max-age in seconds: 6 months (15552000, the security baseline's "
                         "minimum) to 12 months (31536000, the longest Cloudflare offers).")
    include_subdomains: bool = Field(
        default=True,
        description="HSTS includeSubDomains. Must stay true: the security baseline requires it with HSTS.",
    )
    preload: bool = Field(
        default=True,
        description="HSTS preload directive; needs max_age >= 31536000 (hstspreload.org submission requirements).",
    )
    nosniff: bool = Field(
        default=True,
        description="The security_header setting's nosniff (X-Content-Type-Options: nosniff). The response-header "
        "rule also sets that header on every response.",
    )

    @field_validator("max_age", mode="before")
    @classmethod
    def _within_cloudflare(cls, value: Any) -> Any:
        # Before the range check, so the message says why 12 months is the cap (the range check stays for the
        # schema and for values below the baseline's minimum).
        if isinstance(value, int) and not isinstance(value, bool) and value > HSTS_MAX_MAX_AGE:
            raise PydanticCustomError(
                "hsts_max_age", "must be at most 31536000 (12 months): {source}", {"source": HSTS_SOURCE}
            )
        return value

    @field_validator("include_subdomains")
    @classmethod
    def _subdomains(cls, value: bool) -> bool:
        if not value:
            raise PydanticCustomError(
                "hsts_subdomains", "must be true: the security baseline requires includeSubDomains with HSTS"
            )
        return value

    @model_validator(mode="after")
    def _preload_needs(self) -> HstsConfig:
        if self.preload and self.max_age < HSTS_PRELOAD_MIN_MAX_AGE:
            raise key_error(
                "max_age", "hsts_preload", "preload needs max_age >= 31536000 (hstspreload.org submission requirements)"
            )
        return self


#: The record types Cloudflare's proxy can serve.
PROXIABLE_TYPES = ("A", "AAAA", "CNAME")


class DnsRecordConfig(ConcernConfig):
    """One DNS record. `name` is relative to the zone (`@` the apex, `www`, `*`); the component writes it as a
    fully qualified name, because Cloudflare returns FQDNs and `@` / `*` would otherwise diff on every preview."""

    concern: ClassVar[str] = "edge.dns_records[]"

    name: str = Field(
        description="The record's name relative to the zone: '@' (the apex), '*' or labels such as 'www'. Lower "
        "case, not an FQDN.",
        examples=["www"],
    )
    type: Literal["A", "AAAA", "CNAME", "TXT", "MX"] = Field(
        description="Record type: A, AAAA, CNAME, TXT or MX. A CNAME cannot share its name with another record.",
        examples=["CNAME"],
    )
    content: str = Field(
        min_length=1, max_length=2048,
        description="The record's value (an address, a target host name, text), 1-2048 characters.",
        examples=["origin.example.net"],
    )
    proxied: bool | None = Field(
        default=None,
        description="Serve through Cloudflare's proxy (A, AAAA and CNAME only); a proxied record's ttl must be 1. "
        "Unset: true for A, AAAA and CNAME records, false for TXT and MX (which Cloudflare cannot proxy).",
        examples=[False],
    )
    ttl: int = Field(default=1, ge=1, le=86400, description="1 (automatic) or 60-86400 seconds.")
    priority: int | None = Field(
        default=None, ge=0, le=65535,
        description="MX preference (0-65535): required for MX records and refused for the others.",
        examples=[10],
    )
    comment: str | None = Field(
        default=None, max_length=100, description="A note stored with the record in Cloudflare, at most 100 characters."
    )
    key: str | None = Field(
        default=None,
        description="Tells apart records that would share a Pulumi resource name (the same name and type, e.g. two "
        "TXT records at '@'): 1-32 lower-case letters, digits or '-'. It is part of the resource name, so "
        "changing it replaces the record.",
        examples=["spf"],
    )

    @model_validator(mode="before")
    @classmethod
    def _proxied_by_type(cls, data: Any) -> Any:
        # Unset, `proxied` follows the type: "Only records used for IP address resolution — A, AAAA, and CNAME
        # records — can be proxied. Other record types (such as MX or TXT) are always DNS-only."
        # (developers.cloudflare.com/learning-paths/get-started/domain-resolution/proxy-status/). Leaving it out of a
        # TXT or MX record is not an error; `proxied: true` on one still is.
        if isinstance(data, Mapping) and data.get("proxied") is None:
            return {**data, "proxied": data.get("type") in PROXIABLE_TYPES}
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not full_match(_RELATIVE_NAME, value):
            raise PydanticCustomError(
                "dns_name", "must be '@', '*' or lower-case labels relative to the zone such as 'www' (not an FQDN)"
            )
        return value

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is not None and not full_match(_RECORD_KEY, value):
            raise PydanticCustomError("dns_key", "must be 1-32 lower-case letters, digits or '-' (not first or last)")
        return value

    @property
    def resource_label(self) -> str:
        """The record's part of its Pulumi resource name: `<name>-<type>[-<key>]`, '@' as 'apex', '*' as
        'wildcard' and '.' as '-' (so two records can share it: EdgeConfig refuses that, asking for a `key`)."""
        label = "apex" if self.name == "@" else self.name.replace("*", "wildcard").replace(".", "-")
        return f"{label}-{self.type.lower()}" + (f"-{self.key}" if self.key else "")

    def _content_problem(self) -> str | None:
        """What Cloudflare would refuse in `content` for this type (API "DNS Records": A holds an IPv4 address,
        AAAA an IPv6 address, CNAME and MX a host name; TXT text up to 2048 characters)."""
        content = self.content
        if self.type in ("A", "AAAA"):
            family = ipaddress.IPv4Address if self.type == "A" else ipaddress.IPv6Address
            try:
                family(content)
            except ValueError:
                return ("an IPv4 address such as 192.0.2.10" if self.type == "A"
                        else "an IPv6 address such as 2001:db8::10")
            return "an address without a zone index ('%')" if "%" in content else None
        if self.type in ("CNAME", "MX"):
            if not full_match(_TARGET_HOST, content) or _is_address(content):
                return "a host name such as origin.example.net (no scheme, path, trailing dot or IP address)"
            return None
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in content):
            return "text on one line, without control characters"
        return None

    @model_validator(mode="after")
    def _consistent(self) -> DnsRecordConfig:
        if self.proxied and self.type not in PROXIABLE_TYPES:
            raise key_error("proxied", "dns_proxied", "only A, AAAA and CNAME records can be proxied")
        if self.proxied and self.ttl != 1:
            raise key_error(
                "ttl", "dns_ttl",
                "a proxied record's ttl must be 1 (automatic): Cloudflare ignores and rewrites any other",
            )
        if not self.proxied and 1 < self.ttl < 60:
            raise key_error("ttl", "dns_ttl", "ttl must be 1 (automatic) or 60-86400 seconds")
        if (self.priority is None) == (self.type == "MX"):
            raise key_error("priority", "dns_priority", "priority is required for MX records and only for them")
        expected = self._content_problem()
        if expected is not None:
            raise key_error(
                "content", "dns_content", "{type} record {name}: content {content} must be {expected}",
                {"type": self.type, "name": self.name, "content": shown(self.content), "expected": expected},
            )
        return self


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class OriginCertificateConfig(ConcernConfig):
    """The origin's certificate from Cloudflare's Origin CA, so Full (strict) can validate the origin."""

    concern: ClassVar[str] = "edge.origin_certificate"

    key_algorithm: Literal["ecdsa", "rsa"] = Field(
        default="ecdsa",
        description="The origin key: ecdsa (P-256, an origin-ecc certificate) or rsa (2048 bits, origin-rsa).",
    )
    validity_days: int = Field(
        default=5475,
        description="One of 7, 30, 90, 365, 730, 1095, 5475 (Origin CA). The certificate's validity in days "
        "(Cloudflare Origin CA requested_validity).",
    )
    hostnames: list[str] | None = Field(
        default=None,
        description="FQDNs (one-level '*.' wildcards allowed); default: the apex and '*.<domain>'. 1-100 distinct "
        "lower-case names.",
        examples=[["example.com", "*.example.com"]],
    )

    @field_validator("validity_days")
    @classmethod
    def _validity(cls, value: int) -> int:
        if value not in ORIGIN_CERTIFICATE_VALIDITY_DAYS:
            raise PydanticCustomError(
                "origin_validity", "must be one of {allowed} days (Cloudflare Origin CA requested_validity)",
                {"allowed": ", ".join(map(str, ORIGIN_CERTIFICATE_VALIDITY_DAYS))},
            )
        return value

    @field_validator("hostnames")
    @classmethod
    def _hostnames(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not 1 <= len(value) <= 100 or len(set(value)) != len(value):
            raise PydanticCustomError("origin_hostnames", "must list 1-100 distinct hostnames")
        for name in value:
            if not full_match(_DOMAIN, name.removeprefix("*.")):
                raise PydanticCustomError(
                    "origin_hostnames", "each must be a lower-case FQDN, optionally with one leading '*.'; got {name}",
                    {"name": shown(name)},
                )
        return value


#: The API's path prefix: its responses are never cached (security baseline), so a bypass prefix must cover it.
API_PATH_PREFIX = "/api/"
#: Extensions the immutable-asset rule must never pin: pages and data (Cloudflare's default cache leaves HTML and
#: JSON alone, https://developers.cloudflare.com/cache/concepts/default-cache-behavior/).
PAGE_AND_DATA_EXTENSIONS = frozenset({"html", "htm", "xhtml", "shtml", "json", "jsonld", "webmanifest"})


class EdgeCacheConfig(ConcernConfig):
    """Cache rules (phase `http_request_cache_settings`), evaluated in order; the bypass rule comes last so it
    wins over the others. Only content-hashed build output gets an edge TTL that ignores the origin; everything
    else follows the origin's Cache-Control (Cloudflare's default cache behaviour), and a request carrying the
    app's session cookie or an Authorization header is never answered from cache."""

    concern: ClassVar[str] = "edge.cache"

    session_cookie_names: list[str] = Field(
        description="The app's session cookie name(s), at least one: a request carrying a cookie whose name contains "
        "one is never answered from cache (so chunked cookies such as name.0 count too).",
        examples=[["__Secure-next-auth.session-token"]],
    )
    immutable_path_prefixes: list[str] = Field(
        default_factory=lambda: ["/_next/static/"],
        description="Directories of content-hashed build output (a file's name changes with its content), each "
        "ending in '/' and not '/': their assets are cached at the edge for immutable_edge_ttl, ignoring the origin.",
    )
    immutable_extensions: list[str] = Field(
        default_factory=lambda: ["js", "mjs", "css", "woff", "woff2", "ttf", "otf", "eot", "png", "jpg", "jpeg",
                                 "gif", "webp", "avif", "svg", "ico"],
        description="File extensions (lower case, without the dot) the immutable rule pins inside "
        "immutable_path_prefixes; never HTML or JSON.",
    )
    immutable_edge_ttl: int = Field(
        default=31_536_000, ge=1, le=31_536_000,
        description="Edge cache TTL of the immutable assets, in seconds (default: a year); at least the plan's "
        "minimum edge TTL (Free 2 h, Pro 1 h).",
    )
    bypass_path_prefixes: list[str] = Field(
        default_factory=lambda: ["/api/", "/account", "/admin"],
        description="Path prefixes never cached (the last cache rule, so it wins). One must cover the API ('/api/' "
        "or a prefix of it): API responses are never cached (baseline).",
    )
    bypass_authorization_header: bool = Field(
        default=True, description="Never answer a request that carries an Authorization header from cache."
    )

    @field_validator("immutable_path_prefixes", "bypass_path_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        return _paths(value)

    @field_validator("immutable_extensions")
    @classmethod
    def _extensions(cls, value: list[str]) -> list[str]:
        value = _tokens(value, r"[a-z0-9]{1,16}", "extension (lower case, without the dot)")
        pages = sorted(PAGE_AND_DATA_EXTENSIONS.intersection(value))
        if pages:
            raise PydanticCustomError(
                "cache_pages", "{pages}: pages and JSON are never pinned at the edge (one user's page or data could "
                "reach another); leave them to the origin's Cache-Control", {"pages": ", ".join(pages)},
            )
        return value

    @field_validator("session_cookie_names")
    @classmethod
    def _cookies(cls, value: list[str]) -> list[str]:
        if not value:
            raise PydanticCustomError(
                "cache_session", "must name the app's session cookie(s): without one, a signed-in user's response "
                "could be cached and served to others"
            )
        return _tokens(value, _HEADER_NAME.pattern, "cookie name")

    @field_validator("bypass_path_prefixes")
    @classmethod
    def _bypass_api(cls, value: list[str]) -> list[str]:
        if not any(API_PATH_PREFIX.startswith(prefix) for prefix in value):
            raise PydanticCustomError(
                "cache_bypass_api", "must cover the API: one prefix must be '/api/' or a prefix of it ('/apis' does "
                "not cover '/api/'); API responses are never cached (baseline)"
            )
        return value

    @model_validator(mode="after")
    def _immutable_only(self) -> EdgeCacheConfig:
        for prefix in self.immutable_path_prefixes:
            if prefix == "/" or not prefix.endswith("/"):
                raise PydanticCustomError(
                    "cache_immutable", "immutable_path_prefixes: {prefix} is not a build-output directory: each must "
                    "end in '/' and not be '/' (only content-hashed files may ignore the origin's Cache-Control)",
                    {"prefix": shown(prefix)},
                )
            overlap = [b for b in self.bypass_path_prefixes if b.startswith(prefix) or prefix.startswith(b)]
            if overlap:
                raise PydanticCustomError(
                    "cache_immutable", "immutable_path_prefixes: {prefix} overlaps the bypass prefix {bypass}: "
                    "immutable build output is public and never under a bypassed path",
                    {"prefix": shown(prefix), "bypass": shown(overlap[0])},
                )
        return self


class WafConfig(ConcernConfig):
    """WAF custom rules (phase `http_request_firewall_custom`), in this order: block exploit probes; let the
    stack's own machine callers past the challenges below (not past rate limits); challenge automated clients
    that are not verified bots; challenge the auth pages; block `/admin` outside the allowed countries."""

    concern: ClassVar[str] = "edge.waf"

    exploit_path_prefixes: list[str] = Field(
        default_factory=lambda: [
            "/wp-admin", "/wp-login.php", "/wp-content/", "/wp-includes/", "/xmlrpc.php", "/phpmyadmin", "/cgi-bin/",
        ],
        description="Path prefixes of exploit probes: requests to them are blocked.",
    )
    exploit_path_fragments: list[str] = Field(
        default_factory=lambda: ["/.env", "/.git/", "wp-config", "xmlrpc.php"],
        description="Text that blocks a request whose path contains it (secrets files, probes).",
    )
    exploit_extensions: list[str] = Field(
        default_factory=lambda: ["php", "asp", "aspx", "jsp", "cgi"],
        description="File extensions (lower case, without the dot) whose requests are blocked.",
    )
    exploit_path_regexes: list[str] = Field(
        default_factory=list,
        description="Regexes (Business and up). A request whose path matches one is blocked (the rules language's "
        "'matches' operator, which needs Business or Enterprise).",
        examples=[[r"\.(bak|old|sql)$"]],
    )
    challenge_bots: bool = Field(
        default=True,
        description="Managed challenge for automated clients that are not verified bots. Those are requests with an "
        "empty user agent or one containing a bot_user_agent_fragments entry.",
    )
    bot_user_agent_fragments: list[str] = Field(
        default_factory=lambda: ["curl/", "wget/", "python-requests", "python-urllib", "go-http-client", "libwww-perl",
                                 "scrapy", "okhttp", "java/", "httpclient"],
        description="Lower-case user-agent fragments of automation tools; an empty user agent counts too.",
    )
    auth_path_prefixes: list[str] = Field(
        default_factory=lambda: ["/login", "/signup", "/forgot-password"],
        description="Path prefixes of the sign-in, sign-up and password pages: every request gets a managed "
        "challenge.",
    )
    admin_path_prefixes: list[str] = Field(
        default_factory=lambda: ["/admin"],
        description="Path prefixes blocked outside admin_countries (no rule while admin_countries is empty).",
    )
    admin_countries: list[str] = Field(
        default_factory=list,
        description="ISO 3166-1 alpha-2 codes allowed to reach /admin; empty: no rule. Upper case; Cloudflare's T1 "
        "(Tor) and XX (unknown) are accepted too, and the paths are admin_path_prefixes.",
        examples=[["IE", "GB"]],
    )
    job_path_prefixes: list[str] = Field(
        default_factory=lambda: ["/internal/jobs/"],
        description="Path prefixes the scheduled jobs call. Requests there with the jobs' secret header skip the "
        "challenges (not rate limiting or the managed rules). Unset, it follows the paths of platform:jobs.jobs; "
        "set, it must cover each of them.",
    )
    job_auth_header: str = Field(
        default="x-job-auth",
        description="The header the scheduled jobs authenticate with. An HTTP header name; the stack passes "
        "platform:jobs.auth_header instead whenever it declares jobs.",
    )
    health_check_path: str | None = Field(
        default="/health",
        description="The exact path of the Route 53 health checks; null: no exemption. GET or HEAD requests to it "
        "with the checker's user agent skip the challenges. Unset, it follows alerts.health_check.path (whose "
        "default is this one); set to another path it is refused.",
    )
    health_check_user_agent: str = Field(
        default="Amazon-Route53-Health-Check-Service",
        description="The user-agent prefix of the Route 53 health checkers (printable ASCII, at most 128 "
        "characters).",
    )

    @field_validator("exploit_path_prefixes", "auth_path_prefixes", "admin_path_prefixes", "job_path_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        return _paths(value)

    @field_validator("exploit_path_fragments")
    @classmethod
    def _path_fragments(cls, value: list[str]) -> list[str]:
        # Matched with `contains` anywhere in the path, so a fragment need not start with '/' ('wp-config').
        return _paths(value, what="path fragment", anchored=False)

    @field_validator("exploit_extensions")
    @classmethod
    def _extensions(cls, value: list[str]) -> list[str]:
        return _tokens(value, r"[a-z0-9]{1,16}", "extension (lower case, without the dot)")

    @field_validator("exploit_path_regexes")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as error:
                raise PydanticCustomError("edge_regex", "{pattern} is not a regex: {error}",
                                          {"pattern": shown(pattern), "error": str(error)}) from None
        return value

    @field_validator("bot_user_agent_fragments")
    @classmethod
    def _fragments(cls, value: list[str]) -> list[str]:
        if any(v != v.lower() or not v or not v.isprintable() for v in value):
            raise PydanticCustomError("edge_user_agent", "must be non-empty, printable and lower case (matched "
                                      "against lower(http.user_agent))")
        return value

    @field_validator("admin_countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in COUNTRY_CODES]
        if unknown:
            raise PydanticCustomError(
                "edge_country", "{codes}: not ISO 3166-1 alpha-2 codes (upper case, e.g. 'DE'), nor Cloudflare's "
                "'T1' (Tor) or 'XX' (unknown)", {"codes": ", ".join(shown(c) for c in unknown[:5])},
            )
        if len(set(value)) != len(value):
            raise PydanticCustomError("edge_duplicate", "lists a country twice")
        return value

    @field_validator("job_auth_header")
    @classmethod
    def _header(cls, value: str) -> str:
        if not full_match(_HEADER_NAME, value):
            raise PydanticCustomError("edge_header", "must be an HTTP header name (RFC 9110 token)")
        return value

    @field_validator("health_check_path")
    @classmethod
    def _health(cls, value: str | None) -> str | None:
        return None if value is None else _paths([value])[0]

    @field_validator("health_check_user_agent")
    @classmethod
    def _health_agent(cls, value: str) -> str:
        if not full_match(r"[\x21-\x7e][\x20-\x7e]{0,127}", value):
            raise PydanticCustomError("edge_user_agent", "must be printable ASCII, at most 128 characters")
        return value


class RateLimitTier(ConcernConfig):
    """One rate-limiting rule, defined by what it protects against and by its intent: a client that sends at most
    `requests` in any `window_seconds` (and, with a burst, at most `burst_requests` in any `burst_seconds`) is
    never acted on. The threshold the plan can express is derived from that (`plans.translate_rate`); what it
    costs is the leak factor, how many times the intent one IP can sustain."""

    concern: ClassVar[str] = "edge.rate_limits[]"

    name: str = Field(
        description="The tier's name, unique in the zone: 1-32 lower-case letters, digits or '_', first a letter.",
        examples=["api"],
    )
    protects_against: str = Field(
        description="What the tier protects against, in a few words (1-80 printable characters), shown in the "
        "rule's description and the docs.",
        examples=["password guessing and credential stuffing"],
    )
    path_prefixes: list[str] = Field(
        description="Path prefixes whose requests the tier counts (at least one).", examples=[["/api/"]]
    )
    requests: int = Field(
        ge=1, le=1_000_000,
        description="The intent: a client sending at most this many requests in any window_seconds is never "
        "acted on (1-1000000).",
        examples=[100],
    )
    window_seconds: int = Field(
        ge=10, le=86_400, description="The intent's window, in seconds (10-86400).", examples=[900],
    )
    burst_requests: int | None = Field(
        default=None, ge=1,
        description="Optional, with burst_seconds: the intent also says a client sends at most this many requests "
        "in any burst_seconds (at most requests). Tightens the threshold where the plan's period is shorter than "
        "the window.",
        examples=[10],
    )
    burst_seconds: int | None = Field(
        default=None, ge=1, le=86_400,
        description="The burst's interval, in seconds (shorter than window_seconds); set with burst_requests.",
        examples=[60],
    )
    clients_per_ip: int = Field(
        default=1, ge=1, le=100,
        description="Clients within the intent that may share one IP (an office or carrier-grade NAT), 1-100: the "
        "threshold lets all of them through, at that many times the leak.",
    )
    counts: Literal["requests", "credential_attempts"] = Field(
        default="requests",
        description="requests: every request to the paths. credential_attempts: only POST, PUT and PATCH where the "
        "plan can filter methods (Business and up); below that every request to the paths counts, so they must "
        "not cover a sign-in page (waf.auth_path_prefixes).",
    )
    action: Literal["block", "managed_challenge"] = Field(
        default="block",
        description="What happens over the rate: block, or managed_challenge (its timeout must be 0 below "
        "Enterprise).",
    )
    counting: Literal["ip", "ip_with_nat"] = Field(
        default="ip",
        description="Count per client IP (ip), or per IP with NAT support (ip_with_nat: Business and Enterprise).",
    )
    methods: list[str] = Field(
        default_factory=list,
        description="HTTP methods to count (Business and up). Empty: every method, or the credential methods for "
        "counts: credential_attempts.",
        examples=[["POST"]],
    )
    period_seconds: int | None = Field(
        default=None,
        description="Overrides the chosen period (the one that leaks least). In seconds, one of Cloudflare's periods "
        "(10-86400), at most the plan's; the threshold still follows the intent.",
        examples=[60],
    )
    mitigation_timeout_seconds: int | None = Field(
        default=None,
        description="Overrides the block (default: the shortest the plan offers that outlasts the period; 0 on "
        "Enterprise, which throttles). In seconds: 0, 10, 60, 120, 300, 600, 3600 or 86400, at most the plan's.",
        examples=[600],
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not full_match(_SLUG, value):
            raise PydanticCustomError("edge_slug", "must be 1-32 lower-case letters, digits or '_', first a letter")
        return value

    @field_validator("path_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        if not value:
            raise PydanticCustomError("edge_paths", "must name at least one path prefix")
        return _paths(value)

    @field_validator("methods")
    @classmethod
    def _methods(cls, value: list[str]) -> list[str]:
        wrong = [m for m in value if m not in _HTTP_METHODS]
        if wrong:
            raise PydanticCustomError("edge_method", "{wrong}: allowed methods are {allowed}",
                                      {"wrong": ", ".join(wrong)[:40], "allowed": ", ".join(_HTTP_METHODS)})
        return value

    @field_validator("protects_against")
    @classmethod
    def _protects(cls, value: str) -> str:
        if not full_match(r"[\x20-\x7e]{1,80}", value) or not value.strip():
            raise PydanticCustomError("edge_protects", "must say in 1-80 printable ASCII characters what the tier "
                                      "protects against, e.g. 'password guessing and credential stuffing'")
        return value

    @model_validator(mode="after")
    def _intent(self) -> RateLimitTier:
        if (self.burst_requests is None) != (self.burst_seconds is None):
            raise PydanticCustomError("ratelimit_burst", "burst_requests and burst_seconds go together: set both "
                                      "(at most burst_requests in any burst_seconds) or neither")
        if self.burst_requests is not None and self.burst_seconds is not None and (
            self.burst_requests > self.requests or self.burst_seconds >= self.window_seconds
        ):
            raise PydanticCustomError(
                "ratelimit_burst", "a burst is part of the intent: burst_requests at most requests ({requests}) and "
                "burst_seconds shorter than window_seconds ({window})",
                {"requests": self.requests, "window": self.window_seconds},
            )
        if self.counts == "credential_attempts" and set(self.methods) & {"GET", "HEAD", "OPTIONS"}:
            raise PydanticCustomError(
                "ratelimit_methods", "a credential_attempts tier counts the methods that carry credentials "
                "({allowed}); GET, HEAD and OPTIONS are page loads and preflights",
                {"allowed": ", ".join(CREDENTIAL_METHODS)},
            )
        return self

    @property
    def intent(self) -> tuple[Limit, ...]:
        """The limits a compliant client keeps, the window first."""
        burst = (Limit(self.burst_requests, self.burst_seconds),) if self.burst_requests and self.burst_seconds else ()
        return (Limit(self.requests, self.window_seconds), *burst)

    @field_validator("period_seconds")
    @classmethod
    def _period(cls, value: int | None) -> int | None:
        if value is not None and value not in RATELIMIT_PERIODS:
            raise PydanticCustomError("ratelimit_period", "must be one of Cloudflare's periods: {allowed}",
                                      {"allowed": ", ".join(map(str, RATELIMIT_PERIODS))})
        return value

    @field_validator("mitigation_timeout_seconds")
    @classmethod
    def _timeout(cls, value: int | None) -> int | None:
        if value is not None and value not in (0, *MITIGATION_TIMEOUTS):
            raise PydanticCustomError("ratelimit_timeout", "must be one of {allowed}",
                                      {"allowed": ", ".join(map(str, (0, *MITIGATION_TIMEOUTS)))})
        return value


def _default_tiers() -> list[RateLimitTier]:
    # The teams' limits: API 100 / 15 min per client, auth 5 / 15 min, strict endpoints 10 / hour, analysis 20 / day.
    # Four tiers need Business or Enterprise; the stack files choose what Free and Pro hold (docs/edge.md).
    return [
        RateLimitTier(name="api", protects_against="one client flooding or scraping the API",
                      path_prefixes=["/api/"], requests=100, window_seconds=900),
        RateLimitTier(name="auth", protects_against="password guessing and credential stuffing",
                      path_prefixes=["/api/auth/"], requests=5, window_seconds=900, counts="credential_attempts"),
        RateLimitTier(name="strict", protects_against="mail bombing through reset and contact forms",
                      path_prefixes=["/api/password-reset", "/api/contact"], requests=10, window_seconds=3600),
        RateLimitTier(name="analysis", protects_against="one client exhausting the costly analysis jobs",
                      path_prefixes=["/api/analysis/"], requests=20, window_seconds=86_400),
    ]


class SecurityHeadersConfig(ConcernConfig):
    """Response headers set on every response (phase `http_response_headers_transform`). HSTS is the zone's
    `security_header` setting, not a header here."""

    concern: ClassVar[str] = "edge.security_headers"

    content_security_policy: str = Field(
        default=(
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'; object-src 'none'; upgrade-insecure-requests"
        ),
        description="The Content-Security-Policy header's value: 1-4096 printable ASCII characters on one line.",
    )
    x_frame_options: Literal["DENY", "SAMEORIGIN"] = Field(
        default="DENY", description="The X-Frame-Options header's value: DENY or SAMEORIGIN."
    )
    referrer_policy: Literal[
        "no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin",
        "strict-origin", "strict-origin-when-cross-origin",
    ] = Field(default="strict-origin-when-cross-origin", description="The Referrer-Policy header's value.")
    permissions_policy: str = Field(
        default="camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        description="The Permissions-Policy header's value: 1-4096 printable ASCII characters on one line.",
    )

    @field_validator("content_security_policy", "permissions_policy")
    @classmethod
    def _value(cls, value: str) -> str:
        if not full_match(_HEADER_VALUE, value):
            raise PydanticCustomError("edge_header_value", "must be 1-4096 printable ASCII characters on one line")
        return value


class EdgeConfig(ConcernConfig):
    """The Cloudflare zone in front of the app. `plan` is declared first: every later check reads it."""

    concern: ClassVar[str] = "edge"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {"protect": False},
        "prod": {"protect": True},
    }

    plan: Plan = Field(
        default="free",
        description="The zone's Cloudflare plan: free, pro, business or enterprise. Every rule, limit and TTL check "
        "reads it (components/edge/plans.py); it is bought only with manage_subscription.",
    )
    domain: str = Field(description="The zone's apex, e.g. 'example.com'.", examples=["example.com"])
    account_id: str | None = Field(
        default=None,
        description="Cloudflare account id (32 hex); needed to create. Set it or zone_id.",
        examples=["0123456789abcdef0123456789abcdef"],
    )
    zone_id: str | None = Field(
        default=None,
        description="Adopt this existing zone (32 hex) instead of creating.",
        examples=["fedcba9876543210fedcba9876543210"],
    )
    manage_subscription: bool = Field(
        default=False,
        description="Buy and keep the plan with a ZoneSubscription (a paid plan costs money); pro or business only. "
        "Deleting the ZoneSubscription does not cancel the billing.",
    )
    zone_active: bool | None = Field(
        default=None,
        description="The zone is active on Cloudflare (its name servers delegated). Until then the stack neither "
        "issues the Origin CA certificate nor owns the managed WAF phase. Default: true when adopting (zone_id), "
        "false when creating: set it true for the second `pulumi up`, after step edge.zone-active.",
        examples=[True],
    )
    protect: bool = Field(
        description="Pulumi `protect` on the created zone (deleting a zone deletes its DNS) and on its subscription.",
        examples=[True],
    )
    dns_records: list[DnsRecordConfig] = Field(
        default_factory=list,
        description="The zone's DNS records, written as FQDNs; a CNAME cannot share its name with another record.",
        examples=[[{"name": "@", "type": "CNAME", "content": "origin.example.net"}]],
    )
    dnssec: bool = Field(
        default=False,
        description="Turn on DNSSEC (ZoneDnssec); then add the exported edge_ds_record at the registrar.",
    )
    min_tls_version: Literal["1.2", "1.3"] = Field(
        default="1.2", description="The zone's minimum TLS version for clients: 1.2 or 1.3."
    )
    pin_ssl_mode: bool = Field(
        default=True, description="Opt out of Automatic SSL/TLS (ssl_automatic_mode = custom) so strict stays."
    )
    hsts: HstsConfig = Field(
        default_factory=HstsConfig, description="HSTS, written to the zone's security_header setting."
    )
    origin_certificate: OriginCertificateConfig = Field(
        default_factory=OriginCertificateConfig,
        description="The origin's Cloudflare Origin CA certificate, which Full (strict) validates the origin against.",
    )
    authenticated_origin_pulls: bool = Field(
        default=False,
        description="Turn on zone-level Authenticated Origin Pulls. The origin must then require Cloudflare's "
        "origin-pull client certificate.",
    )
    cache: EdgeCacheConfig = Field(
        description="Cache rules (phase http_request_cache_settings), checked against the plan. Required: "
        "cache.session_cookie_names names the app's session cookie(s).",
        examples=[{"session_cookie_names": ["__Secure-next-auth.session-token"]}],
    )
    waf: WafConfig = Field(
        default_factory=WafConfig, validate_default=True,
        description="WAF custom rules (phase http_request_firewall_custom), checked against the plan.",
    )
    managed_rulesets: list[ManagedRuleset] | None = Field(
        default=None,
        description="Managed WAF rulesets to execute; default: what the plan offers. Any of free, cloudflare, owasp "
        "that the plan offers, at least one.",
        examples=[["cloudflare", "owasp"]],
    )
    rate_limits: list[RateLimitTier] = Field(
        default_factory=_default_tiers, validate_default=True,
        description="Rate-limiting tiers, one rule each; setting it replaces the four default tiers. At least one, "
        "unique names, at most the plan's rule count (free 1, pro 2, business 5, enterprise 100).",
    )
    security_headers: SecurityHeadersConfig = Field(
        default_factory=SecurityHeadersConfig, description="Response headers set on every response."
    )
    external_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts the stack calls that this zone does not serve (alerts.health_check.fqdn, jobs.base_url's "
        "host), e.g. an app on another domain: lower-case host names. Every other host the stack calls must have "
        "an A, AAAA or CNAME record in dns_records.",
        examples=[["app.example.org"]],
    )

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        if not full_match(_DOMAIN, value):
            raise PydanticCustomError("edge_domain", "must be a lower-case apex domain such as 'example.com'")
        return value

    @field_validator("account_id", "zone_id")
    @classmethod
    def _ids(cls, value: str | None) -> str | None:
        if value is not None and not full_match(_CLOUDFLARE_ID, value):
            raise PydanticCustomError("edge_id", "must be a Cloudflare id: 32 lower-case hex characters")
        return value

    @field_validator("dns_records")
    @classmethod
    def _records(cls, value: list[DnsRecordConfig]) -> list[DnsRecordConfig]:
        for index, record in enumerate(value):
            other = next((earlier for earlier, seen in enumerate(value[:index]) if seen.name == record.name
                          and "CNAME" in (seen.type, record.type)), None)
            if other is not None:
                raise key_error(
                    index, "dns_cname",
                    "a CNAME cannot share its name with another record, and dns_records[{other}] ({other_type}) is "
                    "also named {name}; remove one of them or rename it",
                    {"other": other, "other_type": value[other].type, "name": shown(record.name)},
                )
        return value

    @field_validator("dns_records")
    @classmethod
    def _records_unique(cls, value: list[DnsRecordConfig], info: ValidationInfo) -> list[DnsRecordConfig]:
        """Each record gets its own resource name, and none repeats the domain: the component appends it."""
        domain = info.data.get("domain")
        problems: list[str] = []
        for record in value:
            if domain is not None and (record.name == domain or record.name.endswith(f".{domain}")):
                relative = record.name.removesuffix(domain).removesuffix(".") or "@"
                problems.append(f"{shown(record.name)} repeats the domain (it would become {record.name}.{domain}): "
                                f"write it relative to the zone, {shown(relative)}")
        labels: dict[str, DnsRecordConfig] = {}
        for record in value:
            other = labels.setdefault(record.resource_label, record)
            if other is record:
                continue
            if (other.name, other.type, other.content) == (record.name, record.type, record.content):
                problems.append(f"{record.type} {record.name} {shown(record.content)} is listed twice (Cloudflare "
                                "refuses an identical record)")
            else:
                problems.append(f"{other.type} {shown(other.name)} and {record.type} {shown(record.name)} would share "
                                f"the resource name '{record.resource_label}': give each a distinct 'key' (e.g. "
                                "key: spf), which names its Pulumi resource")
        return _refuse(problems, value)

    @field_validator("cache")
    @classmethod
    def _cache_plan(cls, value: EdgeCacheConfig, info: ValidationInfo) -> EdgeCacheConfig:
        plan = info.data.get("plan")
        if plan is None:
            return value
        limits = PLAN_LIMITS[plan]
        problems = [
            f"{what} = {ttl} s is below the {plan} plan's minimum edge TTL of {limits.min_edge_ttl} s"
            for what, ttl in (("immutable_edge_ttl", value.immutable_edge_ttl),)
            if ttl < limits.min_edge_ttl
        ]
        problems += rules.check_rules("http_request_cache_settings", rules.cache_rules(value), plan)
        return _refuse(problems, value)

    @field_validator("waf")
    @classmethod
    def _waf_plan(cls, value: WafConfig, info: ValidationInfo) -> WafConfig:
        plan = info.data.get("plan")
        if plan is None:
            return value
        # The machine-caller rule is counted as if the jobs' header value were given (it may be, at run time).
        built = rules.waf_custom_rules(value, job_header_value=rules.PLACEHOLDER_SECRET)
        return _refuse(rules.check_rules("http_request_firewall_custom", built, plan), value)

    @field_validator("managed_rulesets")
    @classmethod
    def _managed_plan(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        plan = info.data.get("plan")
        if plan is None or value is None:
            return value
        if len(set(value)) != len(value):
            raise PydanticCustomError("edge_duplicate", "lists a managed ruleset twice")
        offered = PLAN_LIMITS[plan].managed_rulesets
        missing = [name for name in value if name not in offered]
        if missing:
            raise PydanticCustomError(
                "edge_managed", "{names}: not available on the {plan} plan, which offers {offered}",
                {"names": ", ".join(MANAGED_RULESET_NAMES[n] for n in missing), "plan": plan,
                 "offered": ", ".join(MANAGED_RULESET_NAMES[n] for n in sorted(offered))},
            )
        if not value:
            raise PydanticCustomError(
                "edge_managed", "must name at least one managed ruleset: owning the phase with none would remove "
                "the protection the zone had (on Free, the Free Managed Ruleset)",
            )
        return value

    @field_validator("rate_limits")
    @classmethod
    def _rate_plan(cls, value: list[RateLimitTier], info: ValidationInfo) -> list[RateLimitTier]:
        plan = info.data.get("plan")
        if plan is None:
            return value
        limits = PLAN_LIMITS[plan]
        problems: list[str] = []
        names = [tier.name for tier in value]
        if len(set(names)) != len(names):
            problems.append("each tier needs its own name")
        if not value:
            problems.append("must hold at least one tier: the baseline requires rate limiting on API and auth paths")
        if len(value) > limits.ratelimit_rules:
            problems.append(
                f"{len(value)} tiers ({', '.join(names)}), but the {plan} plan holds at most "
                f"{limits.ratelimit_rules} rate-limiting rule{'s' if limits.ratelimit_rules > 1 else ''} per zone"
            )
        for tier in value:
            rate = rules.tier_rate(tier, plan)
            prefix = f"tier '{tier.name}'"
            if rate.period > limits.ratelimit_max_period:
                problems.append(f"{prefix}: period {rate.period} s exceeds the {plan} plan's "
                                f"{limits.ratelimit_max_period} s")
            if tier.counting not in limits.ratelimit_characteristics:
                problems.append(f"{prefix}: counting '{tier.counting}' ({CHARACTERISTICS[tier.counting]}) needs "
                                f"Business or Enterprise; the {plan} plan counts by IP only")
            if tier.action == "managed_challenge" and limits.challenge_needs_zero_timeout and rate.timeout != 0:
                problems.append(f"{prefix}: a challenge needs mitigation_timeout_seconds 0 on the {plan} plan")
            if rate.timeout > limits.ratelimit_max_mitigation_timeout:
                problems.append(f"{prefix}: mitigation timeout {rate.timeout} s exceeds the {plan} plan's "
                                f"{limits.ratelimit_max_mitigation_timeout} s")
            if tier.action == "block" and rate.timeout == 0 and not limits.ratelimit_throttle:
                problems.append(f"{prefix}: mitigation_timeout_seconds 0 with block (throttling) is Enterprise only; "
                                f"the {plan} plan blocks for a duration (rate limiting rules, availability)")
        waf = info.data.get("waf")
        if isinstance(waf, WafConfig):
            problems += _credential_page_problems(value, waf, plan)
        if not problems:
            problems += rules.check_rules("http_ratelimit", rules.ratelimit_rules(value, plan), plan)
        return _refuse(problems, value)

    @field_validator("external_hosts")
    @classmethod
    def _external(cls, value: list[str]) -> list[str]:
        for host in value:
            if not full_match(_DOMAIN, host):
                raise PydanticCustomError("edge_host", "each must be a lower-case host name such as "
                                          "'app.example.org' (no scheme, port or path); got {host}",
                                          {"host": shown(host)})
        if len(set(value)) != len(value):
            raise PydanticCustomError("edge_duplicate", "lists a host twice")
        return value

    @model_validator(mode="after")
    def _registrable_zone(self) -> EdgeConfig:
        # Cloudflare's subdomain setup (a zone for a subdomain such as staging.example.org) is available on the
        # Enterprise plan only: "Free No, Pro No, Business No, Enterprise Yes" (SUBDOMAIN_SETUP_DOCS). Creating one
        # on another plan fails at `pulumi up`; an adopted zone (zone_id) exists, so its account may hold them.
        # Two labels (example.org) are registrable but for a rare public suffix (co.uk): no list to load for them.
        if self.zone_id is not None or self.plan == "enterprise" or self.domain.count(".") < 2:
            return self
        registrable = registrable_domain(self.domain)
        if registrable == self.domain:
            return self
        if registrable is None:
            raise key_error("domain", "edge_public_suffix",
                            "is a public suffix (Public Suffix List), not a domain a zone can be created for; "
                            "set the domain you registered, e.g. example.org")
        label = self.domain.removesuffix(f".{registrable}")
        raise key_error(
            "domain", "edge_subdomain_zone",
            "a subdomain of {registrable}; Cloudflare creates subdomain zones on Enterprise only ({docs}): set "
            "domain: {registrable} with a record {label}, or plan: enterprise, or adopt the zone (zone_id)",
            {"registrable": registrable, "docs": SUBDOMAIN_SETUP_DOCS, "plan": self.plan, "label": label},
        )

    @model_validator(mode="after")
    def _zone_source(self) -> EdgeConfig:
        if self.zone_id is None and self.account_id is None:
            raise key_error(
                "account_id", "edge_zone",
                "set account_id to create the zone in that account, or zone_id to adopt an existing zone",
            )
        return self

    @field_validator("manage_subscription")
    @classmethod
    def _subscription_plan(cls, value: bool, info: ValidationInfo) -> bool:
        # A Free "subscription" is refused with 1207 "Add a core subscription first"; Enterprise is sold by contract,
        # not through the API. Pro and Business are the plans a ZoneSubscription buys.
        plan = info.data.get("plan")
        if value and plan is not None and plan not in SUBSCRIBABLE_PLANS:
            raise PydanticCustomError(
                "edge_subscription", "a ZoneSubscription exists for pro and business only ({plan}: {why}); set it "
                "false, or plan to pro or business",
                {"plan": plan, "why": "Cloudflare refuses a free one, 1207 'Add a core subscription first'"
                 if plan == "free" else "Enterprise is sold by contract, not through the API"},
            )
        return value

    @field_validator("origin_certificate")
    @classmethod
    def _origin_hostnames_in_zone(cls, value: OriginCertificateConfig, info: ValidationInfo) -> OriginCertificateConfig:
        # The Origin CA signs only hostnames of the account's zones (error 1010); this certificate is for this zone.
        domain = info.data.get("domain")
        if domain is None:
            return value
        outside = [name for name in value.hostnames or [] if not _in_zone(name.removeprefix("*."), domain)]
        if outside:
            raise PydanticCustomError(
                "origin_hostnames", "hostnames {names}: not under the zone's domain {domain}; the certificate is "
                "for this zone's hosts (the apex, names under it, '*.' wildcards of those)",
                {"names": ", ".join(shown(n) for n in outside[:3]), "domain": domain},
            )
        return value

    @property
    def active(self) -> bool:
        """Whether the zone is active (delegated): given, or assumed for an adopted zone."""
        return self.zone_active if self.zone_active is not None else self.zone_id is not None

    def serves(self, host: str) -> bool:
        """Whether `host` has an A, AAAA or CNAME record in this zone's dns_records (exactly, or by a wildcard)."""
        if not _in_zone(host, self.domain):
            return False
        relative = "@" if host == self.domain else host.removesuffix(f".{self.domain}")
        for record in self.dns_records:
            if record.type not in ("A", "AAAA", "CNAME"):
                continue
            if record.name == relative:
                return True
            if record.name.startswith("*"):
                parent = record.name.removeprefix("*").removeprefix(".")
                if relative != "@" and (not parent or relative.endswith(f".{parent}")):
                    return True
        return False

    @property
    def managed(self) -> tuple[str, ...]:
        """The managed WAF rulesets the zone executes."""
        if self.managed_rulesets is not None:
            return tuple(self.managed_rulesets)
        return PLAN_LIMITS[self.plan].default_managed_rulesets

    def fqdn(self, name: str) -> str:
        """A record name relative to the zone as the fully qualified name Cloudflare stores."""
        return self.domain if name == "@" else f"{name}.{self.domain}"

    @property
    def origin_hostnames(self) -> list[str]:
        return self.origin_certificate.hostnames or [self.domain, f"*.{self.domain}"]


#: Cloudflare's page on zones for subdomains: available on the Enterprise plan only.
SUBDOMAIN_SETUP_DOCS = "https://developers.cloudflare.com/dns/zone-setups/subdomain-setup/"


@functools.cache
def _public_suffixes() -> Any:
    # Imported on first use (about 0.2 s to read its bundled list), only for a domain of three or more labels.
    from publicsuffixlist import PublicSuffixList  # noqa: PLC0415

    return PublicSuffixList(only_icann=True)


def registrable_domain(domain: str) -> str | None:
    """The registrable domain (public suffix plus one label, ICANN section of the Public Suffix List, the copy the
    `publicsuffixlist` package bundles) that `domain` is or lies under; None for a public suffix itself."""
    return _public_suffixes().privatesuffix(domain)


#: The plans a ZoneSubscription can buy.
SUBSCRIBABLE_PLANS: tuple[Plan, ...] = ("pro", "business")


def _in_zone(host: str, domain: str) -> bool:
    return host == domain or host.endswith(f".{domain}")
def _credential_page_problems(tiers: list[RateLimitTier], waf: WafConfig, plan: Plan) -> list[str]:
    """A credential-attempts tier on a plan whose rules cannot use the method counts every request to its paths:
    a prefix that covers a sign-in page (or lies under one) would count each page load as an attempt."""
    if methods_countable(plan):
        return []
    problems = []
    for tier in tiers:
        if tier.counts != "credential_attempts":
            continue
        pages = [page for page in waf.auth_path_prefixes for prefix in tier.path_prefixes
                 if page.startswith(prefix) or prefix.startswith(page)]
        if pages:
            problems.append(
                f"tier '{tier.name}' counts credential attempts, but the {plan} plan's rate-limiting rules cannot "
                f"use the request method, so every GET of the sign-in pages {', '.join(sorted(set(pages)))} "
                "(waf.auth_path_prefixes) would count as one; list only the endpoints that receive credentials, "
                "e.g. '/api/auth/callback/credentials'"
            )
    return problems


def _refuse(problems: list[str], value: Any) -> Any:
    if problems:
        raise PydanticCustomError("edge_plan", "{problems}", {"problems": "; ".join(problems)})
    return value
