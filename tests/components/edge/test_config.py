"""The edge config: defaults per plan, generated expressions parsed by Cloudflare's parser, and every plan limit
refused with its message."""

from __future__ import annotations

from typing import Any

import pytest
from octorules_wirefilter import parse_expression

from components.edge import expressions as ex
from components.edge import rules
from components.edge.config import HSTS_MAX_MAX_AGE, HSTS_MIN_MAX_AGE, EdgeConfig, _default_tiers
from components.edge.plans import PLAN_LIMITS, PLANS, Limit, Rate, translate_rate
from tests.support.configs import one_problem, problems_with
from tests.support.stacks import ROOT

ACCOUNT = "0123456789abcdef0123456789abcdef"
ONE_TIER = [{"name": "api", "protects_against": "API floods", "path_prefixes": ["/api/", "/login"], "requests": 100,
             "window_seconds": 900}]
CACHE = {"session_cookie_names": ["sid"]}


def edge(environment: str = "prod", **values: Any) -> EdgeConfig:
    data = {"domain": "example.com", "account_id": ACCOUNT, "plan": "business", "cache": CACHE, **values}
    return EdgeConfig.model_validate(data, context={"environment": environment})


def parsed_literals(expression: str) -> list[str]:
    result = parse_expression(expression)
    assert not result.get("error"), (expression, result.get("error"))
    return result["string_literals"]


def every_expression(config: EdgeConfig, job: str | None = "s3cr3t") -> list[tuple[str, str]]:
    return [(phase, r["expression"]) for phase, rs in rules.all_rules(config, job_header_value=job).items()
            for r in rs]


# ---- the defaults, exactly


def test_default_cache_rules_are_exact() -> None:
    cache = rules.cache_rules(edge(plan="business").cache)
    assert [r["ref"] for r in cache] == ["immutable_assets", "bypass_api_and_authenticated"]
    # Only content-hashed build output ignores the origin; nothing else has a cache rule (the origin decides).
    assert cache[0]["expression"] == (
        'starts_with(http.request.uri.path, "/_next/static/") and http.request.uri.path.extension in '
        '{"js" "mjs" "css" "woff" "woff2" "ttf" "otf" "eot" "png" "jpg" "jpeg" "gif" "webp" "avif" "svg" "ico"}'
    )
    assert cache[0]["action_parameters"]["edge_ttl"] == {"mode": "override_origin", "default": 31_536_000}
    assert cache[0]["action_parameters"]["browser_ttl"] == {"mode": "respect_origin"}
    assert cache[1]["expression"] == (
        '(starts_with(http.request.uri.path, "/api/") or starts_with(http.request.uri.path, "/account") or '
        'starts_with(http.request.uri.path, "/admin") or '
        'any(lower(http.request.headers.names[*])[*] eq "authorization") or http.cookie contains "sid")'
    )
    assert cache[1]["action_parameters"] == {"cache": False}


def test_default_waf_rules_are_exact_and_never_use_threat_score() -> None:
    waf = rules.waf_custom_rules(edge(waf={"admin_countries": ["DE", "IE"]}).waf, job_header_value='a"b\\c')
    refs = [r["ref"] for r in waf]
    assert refs == ["block_exploit_probes", "allow_machine_callers", "challenge_unverified_automation",
                    "challenge_auth_pages", "restrict_admin_countries"]
    by_ref = {r["ref"]: r for r in waf}
    assert by_ref["allow_machine_callers"]["expression"] == (
        '((starts_with(http.request.uri.path, "/internal/jobs/") and any(http.request.headers["x-job-auth"][*] eq '
        '"a\\"b\\\\c")) or (http.request.uri.path eq "/health" and http.request.method in {"GET" "HEAD"} and '
        'starts_with(http.user_agent, "Amazon-Route53-Health-Check-Service")))'
    )
    assert by_ref["allow_machine_callers"]["action"] == "skip"
    assert by_ref["allow_machine_callers"]["action_parameters"]["ruleset"] == "current"
    assert "phases" not in by_ref["allow_machine_callers"]["action_parameters"]  # rate limits still apply
    assert 'a"b\\c' in parsed_literals(by_ref["allow_machine_callers"]["expression"])
    assert by_ref["restrict_admin_countries"]["expression"] == (
        'starts_with(http.request.uri.path, "/admin") and not ip.src.country in {"DE" "IE"}'
    )
    bots = by_ref["challenge_unverified_automation"]
    assert bots["action"] == "managed_challenge"
    assert bots["expression"].endswith(' and not cf.client.bot and cf.verified_bot_category eq ""')
    for rule in waf:
        fields = parse_expression(rule["expression"])["fields"]
        assert "cf.threat_score" not in fields  # always 0 now
        assert "ip.geoip.country" not in fields  # deprecated
        assert not any(f.startswith("cf.bot_management") for f in fields)


def test_without_the_jobs_secret_only_the_health_checks_are_let_past() -> None:
    waf = rules.waf_custom_rules(edge().waf, job_header_value=None)
    callers = next(r for r in waf if r["ref"] == "allow_machine_callers")
    assert "x-job-auth" not in callers["expression"]
    assert callers["expression"].startswith('http.request.uri.path eq "/health"')


@pytest.mark.parametrize("plan", PLANS)
def test_managed_rulesets_follow_the_plan(plan: str) -> None:
    tiers = {"rate_limits": ONE_TIER}
    ids = [r["action_parameters"]["id"] for r in rules.managed_rules(edge(plan=plan, **tiers))]
    if plan == "free":
        # Owning the phase on Free keeps the Free Managed Ruleset the zone had.
        assert ids == ["77454fe2d30c4220b5701f6fdfb893ba"]
    else:
        assert ids == ["efb7b8c949ac4650a09736fc376e9aee", "4814384a9e5d4991b9815dcfc25d2f1f"]


def test_rate_limit_rules_carry_the_colo_and_the_compliant_threshold() -> None:
    (api, auth, strict, analysis) = rules.ratelimit_rules(edge(plan="business").rate_limits, "business")
    assert api["ratelimit"] == {"characteristics": ["cf.colo.id", "ip.src"], "period": 300,
                                "requests_per_period": 100, "mitigation_timeout": 300}
    assert api["expression"] == 'starts_with(http.request.uri.path, "/api/")'
    # Business rules can use the method: the credential tier counts only the methods that carry credentials.
    assert auth["expression"] == ('starts_with(http.request.uri.path, "/api/auth/") and '
                                  'http.request.method in {"POST" "PUT" "PATCH"}')
    assert auth["ratelimit"]["requests_per_period"] == 5
    assert strict["ratelimit"] == {"characteristics": ["cf.colo.id", "ip.src"], "period": 600,
                                   "requests_per_period": 10, "mitigation_timeout": 600}
    assert analysis["ratelimit"]["mitigation_timeout"] == 600
    assert api["description"] == ("api: against one client flooding or scraping the API. Never acts on a client "
                                  "within 100 per 15 min: 100 per 300 s per IP (leak x3)")
    for rule in (api, auth, strict, analysis):
        assert "cf.colo.id" not in rule["expression"]


@pytest.mark.parametrize(
    ("plan", "requests", "window", "expected", "leak"),
    [
        # The whole intent may arrive in one period: the threshold holds it (never 7 per 60 s for 100 / 15 min).
        ("free", 100, 900, Rate(100, 10, 10), 90),
        ("pro", 100, 900, Rate(100, 60, 60), 15),
        ("business", 100, 900, Rate(100, 300, 300), 3),
        # Two periods of 900 s span two windows: 200 is what a compliant client can put in them; Enterprise throttles.
        ("enterprise", 100, 900, Rate(200, 900, 0), 2),
        ("pro", 5, 900, Rate(5, 60, 60), 15),
        ("business", 10, 3600, Rate(10, 600, 600), 6),
        ("enterprise", 20, 86400, Rate(40, 65535, 0), 40 * 86400 / 65535 / 20),
    ],
)
def test_rate_translation_table(plan: str, requests: int, window: int, expected: Rate, leak: float) -> None:
    rate = translate_rate(plan, [Limit(requests, window)], challenge=False)  # type: ignore[arg-type]
    assert rate == expected
    assert rate.leak(Limit(requests, window)) == pytest.approx(leak)


def test_a_burst_in_the_intent_lowers_the_threshold_and_the_leak() -> None:
    intent = [Limit(5, 900), Limit(2, 60)]
    rate = translate_rate("free", intent, challenge=False)
    assert rate == Rate(2, 10, 10)
    assert rate.leak(intent[0]) == 36
    # Clients behind one NAT address share the counter: the threshold lets all of them through.
    assert translate_rate("free", intent, challenge=False, clients_per_ip=3) == Rate(6, 10, 10)


def test_challenges_get_a_zero_timeout_below_enterprise_and_enterprise_throttles() -> None:
    assert translate_rate("pro", [Limit(5, 900)], challenge=True).timeout == 0
    assert translate_rate("enterprise", [Limit(5, 900)], challenge=True).timeout == 0
    assert translate_rate("enterprise", [Limit(5, 900)], challenge=False).timeout == 0
    # Below Enterprise a block outlasts one period, and no more: 10 s on Free, a minute on Pro.
    assert [translate_rate(plan, [Limit(100, 900)], challenge=False).timeout for plan in ("free", "pro")] == [10, 60]


@pytest.mark.parametrize("plan", PLANS)
def test_every_default_expression_parses(plan: str) -> None:
    config = edge(plan=plan, **({} if plan in ("business", "enterprise") else {"rate_limits": ONE_TIER}))
    for phase, expression in every_expression(config):
        if expression != rules.MATCH_ALL:
            assert not parse_expression(expression).get("error"), (phase, expression)


# ---- adversarial config: escaped, not refused


ADVERSARIAL = ['/a"b', "/back\\slash", '/both\\"', "/ünïcødé/✓", "/emoji/🚀", "/spaces in path", '/"', "/\\"]


def test_adversarial_paths_are_escaped_and_parse_to_the_configured_values() -> None:
    config = edge(plan="business", cache={**CACHE, "bypass_path_prefixes": ["/api/", *ADVERSARIAL]},
                  waf={"exploit_path_prefixes": ADVERSARIAL, "auth_path_prefixes": ADVERSARIAL},
                  rate_limits=[{"name": "odd", "protects_against": "odd paths", "path_prefixes": ADVERSARIAL,
                                "requests": 5, "window_seconds": 60}])
    bypass = rules.cache_rules(config.cache)[-1]["expression"]
    assert parsed_literals(bypass) == ["/api/", *ADVERSARIAL, "authorization", "sid"]
    waf = {r["ref"]: r["expression"] for r in rules.waf_custom_rules(config.waf, job_header_value="x")}
    assert parsed_literals(waf["challenge_auth_pages"]) == ADVERSARIAL
    assert parsed_literals(waf["block_exploit_probes"])[: len(ADVERSARIAL)] == ADVERSARIAL
    (rate,) = rules.ratelimit_rules(config.rate_limits, "business")
    assert parsed_literals(rate["expression"]) == ADVERSARIAL


def test_regexes_are_raw_strings_even_with_quotes_and_hashes() -> None:
    patterns = ['^/a"#b$', r"\.(bak|old)$", '"##"']
    config = edge(plan="business", waf={"exploit_path_regexes": patterns})
    probes = rules.waf_custom_rules(config.waf, job_header_value=None)[0]["expression"]
    assert parse_expression(probes)["regex_literals"] == patterns


def test_many_paths_and_every_country_parse_or_are_refused_by_length() -> None:
    countries = sorted(__import__("components.edge.countries", fromlist=["x"]).COUNTRY_CODES)
    config = edge(plan="enterprise", waf={"admin_countries": countries, "auth_path_prefixes": [f"/p{i}" for i in
                                                                                             range(80)]})
    waf = {r["ref"]: r["expression"] for r in rules.waf_custom_rules(config.waf, job_header_value=None)}
    assert parsed_literals(waf["restrict_admin_countries"]) == ["/admin", *countries]
    assert parsed_literals(waf["challenge_auth_pages"]) == [f"/p{i}" for i in range(80)]
    too_many = [f"/a-rather-long-path-prefix-number-{i:04d}" for i in range(120)]
    line = one_problem(problems_with("prod", "edge", {"waf": {"auth_path_prefixes": too_many}}),
                       "challenge_auth_pages")
    assert "Cloudflare accepts at most 4096" in line


def test_hsts_floor_and_cap_equal_the_policy_packs() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "policies"))
    from baseline.cloudflare.zone import HSTS_MAX_MAX_AGE as POLICY_MAX
    from baseline.cloudflare.zone import HSTS_MIN_MAX_AGE as POLICY_MIN

    assert HSTS_MIN_MAX_AGE == POLICY_MIN == 15_552_000
    assert HSTS_MAX_MAX_AGE == POLICY_MAX == 31_536_000


def test_hsts_defaults_to_and_caps_at_twelve_months_citing_cloudflare() -> None:
    """Cloudflare's HSTS page offers "Disable, or a range from 1 to 12 months"; 63072000 through the API left the
    dashboard showing "Max-Age: %{time}" (terraform-provider-cloudflare#1111). A year still meets the preload
    list's minimum, so the default keeps `preload`."""
    assert edge().hsts.max_age == 31_536_000
    assert edge().hsts.preload is True
    line = one_problem(problems_with("prod", "edge", {"hsts": {"max_age": 63_072_000}}), "hsts.max_age")
    assert line.startswith("platform:edge.hsts.max_age = 63072000: must be at most 31536000 (12 months)")
    assert "developers.cloudflare.com/ssl/edge-certificates/additional-options/http-strict-transport-security" in line
    # Six months is still allowed (the baseline's floor), without preload (which needs a year).
    assert edge(hsts={"max_age": 15_552_000, "preload": False}).hsts.max_age == 15_552_000


# ---- plan limits, each refused with its message


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"plan": "free", "rate_limits": "defaults"},
         "4 tiers (api, auth, strict, analysis), but the free plan holds at most 1 rate-limiting rule per zone"),
        ({"plan": "free", "rate_limits": ONE_TIER * 1 + [
            {"name": "b", "protects_against": "b", "path_prefixes": ["/b"], "requests": 1, "window_seconds": 60},
            {"name": "c", "protects_against": "c", "path_prefixes": ["/c"], "requests": 1, "window_seconds": 60}]},
         "3 tiers (api, b, c), but the free plan holds at most 1"),
        ({"rate_limits": [{**ONE_TIER[0], "period_seconds": 600}]}, "tier 'api': period 600 s exceeds the pro plan's "
         "60 s"),
        ({"rate_limits": [{**ONE_TIER[0], "counting": "ip_with_nat"}]}, "tier 'api': counting 'ip_with_nat'"),
        ({"rate_limits": [{**ONE_TIER[0], "action": "managed_challenge", "mitigation_timeout_seconds": 600}]},
         "tier 'api': a challenge needs mitigation_timeout_seconds 0 on the pro plan"),
        ({"rate_limits": [{**ONE_TIER[0], "mitigation_timeout_seconds": 86400}]},
         "mitigation timeout 86400 s exceeds the pro plan's 3600 s"),
        ({"rate_limits": [{**ONE_TIER[0], "methods": ["POST"]}]},
         "the pro plan's rate-limiting rules cannot use http.request.method"),
        ({"rate_limits": [{**ONE_TIER[0], "period_seconds": 7}]}, "must be one of Cloudflare's periods"),
        ({"plan": "free", "rate_limits": ONE_TIER, "cache": {**CACHE, "immutable_edge_ttl": 3600}},
         "immutable_edge_ttl = 3600 s is below the free plan's minimum edge TTL of 7200 s"),
        ({"waf": {"exploit_path_regexes": ["^/x"]}}, "regular expressions (matches) need Business or Enterprise"),
        ({"plan": "free", "rate_limits": ONE_TIER, "managed_rulesets": ["owasp"]},
         "Cloudflare OWASP Core Ruleset: not available on the free plan"),
        ({"managed_rulesets": []}, "must name at least one managed ruleset"),
        ({"waf": {"admin_countries": ["DE", "UK", "de"]}}, "UK, de: not ISO 3166-1 alpha-2 codes"),
        ({"origin_certificate": {"validity_days": 60}}, "must be one of 7, 30, 90, 365, 730, 1095, 5475 days"),
        ({"hsts": {"max_age": 86400}}, "out of range"),
        ({"hsts": {"include_subdomains": False}}, "includeSubDomains"),
        ({"cache": {**CACHE, "bypass_path_prefixes": ["/account"]}}, "must cover the API"),
        # /apis is not /api/: a prefix only covers the API when /api/ starts with it.
        ({"cache": {**CACHE, "bypass_path_prefixes": ["/apis", "/account"]}}, "must cover the API"),
        ({"cache": {}}, "platform:edge.cache.session_cookie_names: required"),
        ({"cache": {"session_cookie_names": []}}, "must name the app's session cookie(s)"),
        ({"cache": {**CACHE, "immutable_path_prefixes": ["/"]}}, "/ is not a build-output directory"),
        ({"cache": {**CACHE, "immutable_path_prefixes": ["/static"]}}, "/static is not a build-output directory"),
        ({"cache": {**CACHE, "immutable_path_prefixes": ["/api/assets/"]}}, "overlaps the bypass prefix /api/"),
        ({"cache": {**CACHE, "immutable_extensions": ["js", "html", "json"]}},
         "html, json: pages and JSON are never pinned at the edge"),
        ({"cache": {**CACHE, "static_extensions": ["js"]}}, "static_extensions: unknown key"),
        # Pro cannot count by method: a credential tier over the sign-in page would count every page load.
        ({"rate_limits": [{"name": "auth", "protects_against": "password guessing", "counts": "credential_attempts",
                           "path_prefixes": ["/api/auth/", "/login"], "requests": 5, "window_seconds": 900}]},
         "tier 'auth' counts credential attempts, but the pro plan's rate-limiting rules cannot use the request "
         "method, so every GET of the sign-in pages /login (waf.auth_path_prefixes)"),
        ({"rate_limits": [{"name": "auth", "protects_against": "password guessing", "counts": "credential_attempts",
                           "path_prefixes": ["/"], "requests": 5, "window_seconds": 900}]},
         "sign-in pages /forgot-password, /login, /signup"),
        ({"plan": "business", "rate_limits": [{
            "name": "auth", "protects_against": "password guessing", "counts": "credential_attempts",
            "methods": ["GET", "POST"], "path_prefixes": ["/login"], "requests": 5, "window_seconds": 900}]},
         "GET, HEAD and OPTIONS are page loads"),
        ({"rate_limits": [{**ONE_TIER[0], "burst_requests": 3}]}, "burst_requests and burst_seconds go together"),
        ({"rate_limits": [{**ONE_TIER[0], "burst_requests": 300, "burst_seconds": 60}]},
         "burst_requests at most requests (100) and burst_seconds shorter than window_seconds (900)"),
        ({"rate_limits": [{**ONE_TIER[0], "protects_against": " "}]}, "must say in 1-80 printable ASCII"),
        ({"rate_limits": [{k: v for k, v in ONE_TIER[0].items() if k != "protects_against"}]},
         "platform:edge.rate_limits[0].protects_against: required"),
        ({"rate_limits": [{**ONE_TIER[0], "mitigation_timeout_seconds": 0}]},
         "mitigation_timeout_seconds 0 with block (throttling) is Enterprise only"),
        ({"dns_records": [{"name": "www", "type": "CNAME", "content": "o.example.net", "ttl": 300}]},
         "a proxied record's ttl must be 1"),
        ({"dns_records": [{"name": "www.example.com.", "type": "A", "content": "192.0.2.1"}]}, "relative to"),
        ({"dns_records": [{"name": "www", "type": "CNAME", "content": "o.example.net"},
                          {"name": "www", "type": "A", "content": "192.0.2.1"}]}, "a CNAME cannot share its name"),
    ],
)
def test_plan_limits_and_bad_values_are_refused(values: dict[str, Any], fragment: str) -> None:
    if values.get("rate_limits") == "defaults":
        values = {**values, "rate_limits": [tier.model_dump() for tier in _default_tiers()]}
    problems = problems_with("prod", "edge", values)
    line = one_problem(problems, fragment)
    assert line.startswith("platform:edge"), line


def test_a_config_whose_expression_would_not_parse_is_refused_with_the_rules_name() -> None:
    # A NUL cannot be in a path (refused as a control character); a rule that would not parse is named.
    problems = rules.check_rules(rules.PHASE_CUSTOM, [{"ref": "broken", "expression": 'http.request.uri.path eq "/'}],
                                 "pro")
    assert len(problems) == 1
    assert problems[0].startswith("rule 'broken' (http_request_firewall_custom): expression does not parse")


def test_waf_rule_count_is_checked_against_the_plan() -> None:
    too_many = [{"ref": f"r{i}", "expression": ex.path_prefixes(["/x"])} for i in range(6)]
    assert rules.check_rules(rules.PHASE_CUSTOM, too_many, "free") == [
        "http_request_firewall_custom holds 6 rules, but the free plan allows 5 per zone"
    ]
    assert PLAN_LIMITS["enterprise"].waf_custom_rules == 1000


def test_zone_needs_an_account_or_an_adopted_id() -> None:
    line = one_problem(problems_with("prod", "edge", {"account_id": None}), "set account_id")
    assert line.startswith("platform:edge")
    adopted = edge(account_id=None, zone_id="fedcba9876543210fedcba9876543210", plan="business")
    assert adopted.zone_id is not None


def test_config_never_imports_the_cloudflare_sdk() -> None:
    import subprocess
    import sys

    code = ("import sys; from tests.support.stacks import load_stack; load_stack('prod'); "
            "print(any(m.startswith(('pulumi_cloudflare', 'pulumi_tls')) for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_edge_pages_example_per_plan_is_valid() -> None:
    import re

    import yaml

    text = (ROOT / "docs" / "edge.md").read_text()
    section = text[text.index("## Plans"):text.index("## Rate limits")]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    examples = [yaml.safe_load("platform:edge:" + chunk)["platform:edge"]
                for chunk in block.group(1).split("platform:edge:")[1:]]
    assert [e.get("plan", "free") for e in examples] == list(PLANS)
    for example in examples:
        EdgeConfig.model_validate(example, context={"environment": "prod"})


# ---- the jobs' exemption follows the jobs


def test_the_job_exemption_follows_the_paths_the_jobs_call() -> None:
    from tests.support.stacks import load_stack

    config = load_stack("prod")
    paths = sorted({job.path for job in config.jobs.jobs.values()})
    assert config.edge.waf.job_path_prefixes == paths == [
        "/internal/jobs/backup", "/internal/jobs/cleanup", "/internal/jobs/performance-report"]
    callers = rules.machine_callers(config.edge.waf, "s3cr3t")
    assert callers is not None
    assert set(paths) <= set(parsed_literals(callers))
    moved = load_stack("prod", jobs={"jobs": {"sync": {"schedule": "cron(0 5 * * ? *)", "path": "/cron/sync"}}})
    # An added job (jobs are merged with the defaults by name) brings its path into the exemption.
    assert moved.edge.waf.job_path_prefixes == ["/cron/sync", *paths]


def test_job_path_prefixes_set_by_hand_must_cover_every_job() -> None:
    line = one_problem(problems_with("prod", "edge", {"waf": {"job_path_prefixes": ["/api/jobs/"]}}),
                       "job_path_prefixes")
    assert line.startswith("platform:edge.waf.job_path_prefixes = [/api/jobs/]: misses the paths the jobs call "
                           "(/internal/jobs/backup, /internal/jobs/cleanup, /internal/jobs/performance-report")
    from tests.support.stacks import load_stack

    covered = load_stack("prod", edge={"waf": {"job_path_prefixes": ["/internal/"]}})
    assert covered.edge.waf.job_path_prefixes == ["/internal/"]


# ---- response headers: the origin's own win


def test_each_header_is_set_only_when_the_origin_did_not_send_it() -> None:
    headers = rules.header_rules(edge().security_headers)
    assert len(headers) == 5
    for rule in headers:
        ((name, action),) = rule["action_parameters"]["headers"].items()
        result = parse_expression(rule["expression"])
        assert not result.get("error"), rule["expression"]
        assert result["fields"] == ["http.response.headers.names"]
        assert result["string_literals"] == [name.lower()]
        assert rule["expression"].startswith("not any(lower(")
        assert action["operation"] == "set"
    assert rules.check_rules(rules.PHASE_HEADERS, headers, "free") == []
