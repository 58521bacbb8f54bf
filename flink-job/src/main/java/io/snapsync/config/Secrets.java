package io.snapsync.config;

import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that removes secrets from text leaving the process: CLI messages ({@code Errors}), the
 * report, {@code --verbose} stack traces, connection errors and log lines ({@code %scrubbed} in the log
 * pattern). Two rules: (1) the value of every URL or driver parameter whose name marks it as a secret is
 * replaced, wherever the text quotes such a parameter (so a URL a driver could not parse and echoes whole
 * is covered); (2) every secret value snapsync was configured with (passwords, secret-named driver
 * properties and URL parameters, the S3 secret key) is replaced wherever it appears verbatim.
 */
public final class Secrets {
    public static final String MASK = "***";

    /**
     * Parameter names that carry secrets: pgjdbc's {@code password}, {@code sslpassword}; the Redshift
     * driver's {@code Password}, {@code SecretAccessKey}, {@code SessionToken}, {@code AccessKeyID},
     * {@code IdP password}s of its SAML/Azure/Okta/Ping plugins ({@code idp_password}, {@code partner_spid}
     * is not secret), {@code client_secret}, {@code web_identity_token}/{@code webIdentityToken}; anything
     * named like a password, secret, token or credential, since drivers add plugin options over time.
     */
    private static final String SECRET_NAME = "(?:[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|credential|accesskey)[A-Za-z0-9_.-]*)";
    private static final Pattern SECRET_PARAM = Pattern.compile("(?i)(" + SECRET_NAME + ")(\\s*[=:]\\s*)([^&;\\s,\"'}\\]]+)");
    private static final Pattern SECRET_KEY = Pattern.compile("(?i)" + SECRET_NAME);
    /** {@code //user:password@host}: userinfo in a URL. */
    private static final Pattern USERINFO = Pattern.compile("(//[^/:@\\s]+:)([^@/\\s]+)(@)");
    /** Values shorter than this are not scrubbed verbatim: replacing "a" everywhere would garble messages. */
    private static final int MIN_LITERAL = 4;

    private static final Set<String> LITERALS = ConcurrentHashMap.newKeySet();

    private Secrets() {}

    /** Remembers a configured secret value so it is scrubbed wherever it appears. */
    public static void register(String secret) {
        if (secret != null && secret.length() >= MIN_LITERAL) {
            LITERALS.add(secret);
        }
    }

    /** Registers the password and the secret-named properties and URL parameters of an endpoint. */
    public static void register(String url, String password, Map<String, String> properties) {
        register(password);
        if (properties != null) {
            properties.forEach((k, v) -> {
                if (isSecretName(k)) {
                    register(v);
                }
            });
        }
        if (url != null) {
            Matcher m = SECRET_PARAM.matcher(url);
            while (m.find()) {
                register(m.group(3));
            }
        }
    }

    public static boolean isSecretName(String parameter) {
        return parameter != null && SECRET_KEY.matcher(parameter).matches();
    }

    /** The text with every secret replaced by {@value #MASK}; null stays null. */
    public static String scrub(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        // longest first, so a secret containing another is replaced whole
        for (String s : LITERALS.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace(s, MASK);
        }
        out = SECRET_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
        out = USERINFO.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$3");
        return out;
    }

    /** A JDBC URL as it may be printed: without its parameters ({@code ?...} or {@code ;...}) and scrubbed. */
    public static String safeUrl(String url) {
        return url == null ? null : scrub(url.replaceAll("[?;].*", ""));
    }

    /** A throwable's stack trace (with causes) as text, scrubbed: for {@code --verbose}. */
    public static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return scrub(w.toString());
    }
}
