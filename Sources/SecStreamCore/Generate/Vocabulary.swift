/// Word lists the generator draws realistic values from. Every entry is
/// JSON-safe (no quotes, backslashes or control characters) because values
/// are copied into the output without escaping.
///
/// Several lists are deliberately bounded: background traffic must never
/// satisfy a built-in rule, and the simplest guarantee is that no source can
/// ever produce enough distinct values (see the notes on each list).
enum Vocabulary {
    /// Surnames for `user.name` (initial + surname [+ number]).
    static let surnames: [StaticString] = [
        "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis",
        "rodriguez", "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas",
        "taylor", "moore", "jackson", "martin", "lee", "perez", "thompson", "white",
        "harris", "sanchez", "clark", "ramirez", "lewis", "robinson", "walker", "young",
        "allen", "king", "wright", "scott", "torres", "nguyen", "hill", "flores",
        "green", "adams", "nelson", "baker", "hall", "rivera", "campbell", "mitchell",
        "carter", "roberts", "mueller", "schmidt", "schneider", "fischer", "weber", "meyer",
        "wagner", "becker", "dubois", "moreau", "laurent", "rossi", "russo", "tanaka",
    ]

    static let initials: [StaticString] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
        "n", "o", "p", "r", "s", "t", "v", "w",
    ]

    /// Account names internet SSH noise tries. Eight of them: fewer than the
    /// password-spray threshold, so no prober can look like a spray.
    static let probeUsers: [StaticString] = ["root", "admin", "ubuntu", "test", "oracle", "pi", "postgres", "git"]

    /// `host.name` roles of internal servers.
    static let hostRoles: [StaticString] = ["web", "db", "app", "jump", "mail", "build", "vpn", "files"]

    /// Service port of an internal server, chosen by server index. Far fewer
    /// than the port-scan threshold.
    static let serverPorts: [Int64] = [443, 80, 22, 3389, 445, 389, 636, 5432, 3306, 8080, 8443, 25, 993, 53, 123, 9200]

    /// Ports of external services clients use.
    static let externalPorts: [Int64] = [443, 443, 443, 443, 80, 993, 22, 123, 53]

    /// Ports exposed by DMZ servers to the internet.
    static let dmzPorts: [Int64] = [443, 80, 25, 22]

    static let methods: [StaticString] = ["GET", "POST", "HEAD", "PUT", "DELETE"]

    /// Paths that exist (2xx/3xx). `{id}` variants are written with a number.
    static let sitePaths: [StaticString] = [
        "/", "/index.html", "/about", "/contact", "/pricing", "/blog", "/blog/2026/11/release-notes",
        "/docs", "/docs/getting-started", "/docs/api", "/login", "/logout", "/signup", "/search",
        "/static/css/main.css", "/static/js/app.js", "/static/js/vendor.js", "/static/img/logo.svg",
        "/api/v1/health", "/api/v1/session", "/api/v1/cart", "/api/v1/products", "/api/v1/orders",
        "/assets/fonts/inter.woff2", "/careers", "/support", "/status", "/robots.txt", "/sitemap.xml",
    ]

    /// Prefixes of paths with a numeric id (`/api/v1/orders/83412`).
    static let idPaths: [StaticString] = ["/api/v1/orders/", "/api/v1/products/", "/blog/post/", "/users/profile/"]

    /// The only paths background traffic gets a 4xx for: stale links, missing
    /// icons, areas that need a login. Fewer than the web-scan threshold.
    static let brokenPaths: [StaticString] = [
        "/favicon.ico", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png",
        "/old-site/index.html", "/blog/2019/archive", "/.well-known/security.txt",
    ]
    static let deniedPaths: [StaticString] = ["/admin", "/api/v1/admin/users"]

    /// Content-discovery wordlist of a web scanner (web-scan attacks and decoys).
    static let scannerPaths: [StaticString] = [
        "/.env", "/.git/config", "/.git/HEAD", "/.svn/entries", "/.DS_Store", "/.htaccess", "/.htpasswd",
        "/wp-login.php", "/wp-admin/", "/wp-config.php.bak", "/wp-content/debug.log", "/xmlrpc.php",
        "/phpmyadmin/", "/pma/", "/phpinfo.php", "/info.php", "/test.php", "/server-status", "/server-info",
        "/admin.php", "/administrator/", "/manager/html", "/console/", "/actuator/env", "/actuator/heapdump",
        "/jmx-console/", "/solr/admin/", "/cgi-bin/test.cgi", "/cgi-bin/php", "/backup.zip", "/backup.tar.gz",
        "/db.sql", "/dump.sql", "/config.json", "/config.yml", "/settings.py", "/web.config", "/.aws/credentials",
        "/id_rsa", "/.ssh/authorized_keys", "/api/swagger.json", "/swagger-ui.html", "/v2/api-docs", "/graphql",
        "/.vscode/sftp.json", "/composer.json", "/package.json", "/Dockerfile", "/docker-compose.yml",
        "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/owa/auth/logon.aspx", "/remote/login",
        "/boaform/admin/formLogin", "/HNAP1/", "/cgi-bin/luci", "/shell.php", "/cmd.php", "/upload.php",
        "/elmah.axd", "/trace.axd", "/install.php", "/setup.php", "/debug/pprof/", "/metrics",
    ]

    static let browserAgents: [StaticString] = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
    ]

    static let scannerAgents: [StaticString] = [
        "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:map_codes)",
        "gobuster/3.6",
        "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    ]

    /// Names background clients resolve. Every first label is far shorter than
    /// `ScenarioConstants.dnsTunnelMinLabel` (a test checks it).
    static let dnsNames: [StaticString] = [
        "www.google.com", "mail.google.com", "accounts.google.com", "www.youtube.com", "i.ytimg.com",
        "outlook.office365.com", "login.microsoftonline.com", "teams.microsoft.com", "graph.microsoft.com",
        "www.github.com", "api.github.com", "objects.githubusercontent.com", "registry.npmjs.org",
        "pypi.org", "files.pythonhosted.org", "deb.debian.org", "security.debian.org", "archive.ubuntu.com",
        "s3.amazonaws.com", "ec2.eu-west-1.amazonaws.com", "sts.amazonaws.com", "d1a2b3c4d5e6f7.cloudfront.net",
        "slack.com", "wss-primary.slack.com", "zoom.us", "www.wikipedia.org", "en.wikipedia.org",
        "cdn.jsdelivr.net", "fonts.googleapis.com", "fonts.gstatic.com", "www.linkedin.com",
        "time.cloudflare.com", "ntp.ubuntu.com", "ocsp.digicert.com", "crl.pki.goog", "update.googleapis.com",
        "intranet.corp.example.com", "fileserver.corp.example.com", "git.corp.example.com",
        "jira.corp.example.com", "wiki.corp.example.com", "vpn.corp.example.com", "ldap.corp.example.com",
        "_ldap._tcp.dc._msdcs.corp.example.com", "wpad.corp.example.com", "printer-3f.corp.example.com",
        "e1234.dscb.akamaiedge.net", "a1887.dscq.akamai.net", "edge-0042.fra.fastly.net",
    ]

    /// Domains the DNS-tunnel attacker encodes data under.
    static let tunnelDomains: [StaticString] = ["t.cdn-sync-updates.com", "d.telemetry-metrics.net", "x.static-assets.org"]
}
