package io.snapsync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsScrubTest {
    @Test
    void secretUrlParametersOfBothDriversAreMaskedWhereverTheyAreQuoted() {
        String pg = "No suitable driver found for jdbc:postgresql://h:5432x/db?user=u&password=S3cret-1&sslpassword=K3y-2&ssl=true";
        assertThat(Secrets.scrub(pg)).isEqualTo("No suitable driver found for jdbc:postgresql://h:5432x/db?user=u&password=***&sslpassword=***&ssl=true");
        String rs = "jdbc:redshift://h:5439/dev;AccessKeyID=AKIA1;SecretAccessKey=abc/def+1;SessionToken=tok==;IdP_Password=pw;"
                + "client_secret=cs;web_identity_token=wit;plugin_name=x";
        assertThat(Secrets.scrub(rs)).isEqualTo("jdbc:redshift://h:5439/dev;AccessKeyID=***;SecretAccessKey=***;SessionToken=***;"
                + "IdP_Password=***;client_secret=***;web_identity_token=***;plugin_name=x");
        assertThat(Secrets.scrub("jdbc:postgresql://user:hunter22@h/db")).isEqualTo("jdbc:postgresql://user:***@h/db");
        assertThat(Secrets.scrub("{password=Pw-9, user=u}")).isEqualTo("{password=***, user=u}");
        assertThat(Secrets.scrub("FATAL: password authentication failed for user \"u\"")).isEqualTo("FATAL: password authentication failed for user \"u\"");
    }

    @Test
    void registeredValuesAreMaskedVerbatimAndSafeUrlDropsParameters() {
        Secrets.register("jdbc:postgresql://h/db?password=FromUrl-77", "Configured-88", Map.of("sslpassword", "Prop-99", "ssl", "true"));
        assertThat(Secrets.scrub("echo FromUrl-77 Configured-88 Prop-99 true")).isEqualTo("echo *** *** *** true");
        assertThat(Secrets.safeUrl("jdbc:postgresql://h:5432x/db?password=x")).isEqualTo("jdbc:postgresql://h:5432x/db");
        assertThat(Secrets.safeUrl("jdbc:redshift://h:5439/dev;Password=x")).isEqualTo("jdbc:redshift://h:5439/dev");
        assertThat(Secrets.isSecretName("SecretAccessKey")).isTrue();
        assertThat(Secrets.isSecretName("sslmode")).isFalse();
    }
}
