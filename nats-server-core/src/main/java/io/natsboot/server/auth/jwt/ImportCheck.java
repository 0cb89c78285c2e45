package io.natsboot.server.auth.jwt;

import io.natsboot.server.subject.Subjects;

/**
 * Whether an account JWT's import may be wired to the exporting account's export: an export of the same kind
 * whose subject covers the import's, and, for exports with {@code token_req}, an activation token issued by the
 * exporter (or one of its signing keys) to the importer for a subject covering the import, not expired and not
 * revoked by the export.
 */
public final class ImportCheck {
    private ImportCheck() {
    }

    /** Null when allowed, else why not. */
    public static String check(AccountClaims importer, AccountClaims.Import imp, AccountClaims exporter) {
        AccountClaims.Export export = null;
        for (AccountClaims.Export e : exporter.exports()) {
            if (e.service() == imp.service() && e.subject() != null && imp.subject() != null
                    && Subjects.subsetOf(imp.subject(), e.subject())) {
                export = e;
                break;
            }
        }
        if (export == null) {
            return "not exported";
        }
        if (!export.tokenRequired()) {
            return null;
        }
        if (imp.token() == null || imp.token().isEmpty()) {
            return "activation token required";
        }
        ActivationClaims act;
        try {
            act = ActivationClaims.decode(imp.token());
        } catch (JwtException e) {
            return "activation token not valid: " + e.getMessage();
        }
        if (!importer.subject().equals(act.jwt().subject())) {
            return "activation token not for this account";
        }
        if (!exporter.subject().equals(act.exporter()) || !exporter.hasIssuer(act.jwt().issuer())) {
            return "activation token not issued by the exporter";
        }
        if (act.importSubject() == null || !Subjects.subsetOf(imp.subject(), act.importSubject())) {
            return "activation token does not cover the subject";
        }
        if (act.jwt().timeProblem(OperatorMode.now()) != null) {
            return "activation token expired";
        }
        if (AccountClaims.revoked(export.revocations(), importer.subject(), act.jwt().issuedAt())) {
            return "activation token revoked";
        }
        return null;
    }
}
