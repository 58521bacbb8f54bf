package io.snapsync.e2e;

import io.snapsync.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;

/** Makes the embedded server (which trusts everyone) check the password of one role, for auth tests. */
final class PasswordAuth {
    private PasswordAuth() {}

    static void require(EmbeddedPostgres pg, String role, String password) throws Exception {
        try (Connection c = pg.getConnection("postgres")) {
            PgPair.exec(c, "CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD '" + password.replace("'", "''") + "'");
            Path hba = pg.getDataDirectory().resolve("pg_hba.conf");
            // pg_hba.conf is read first match first: this line wins over the trust lines below it
            Files.writeString(hba, "host all " + role + " 127.0.0.1/32 scram-sha-256\n" + Files.readString(hba));
            PgPair.exec(c, "SELECT pg_reload_conf()");
        }
    }
}
