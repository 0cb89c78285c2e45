package io.natsboot.server.auth.jwt;

import io.natsboot.server.auth.Permissions;
import io.natsboot.server.subject.Subjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fills the templates in a scoped signing key's user template at login, as nats-server 2.9.10 does
 * (auth.go processUserPermissionsTemplate). Only the template of a {@code user_scope} signing key is processed:
 * templates written in a user JWT's own permissions are taken literally.
 *
 * <p>A template is a whole subject token {@code {{op}}} (op case-insensitive): {@code name()} (user JWT name),
 * {@code subject()} (user public key), {@code account-name()} (account JWT name), {@code account-subject()}
 * (the user's {@code issuer_account}), {@code tag(key)} / {@code account-tag(key)} (the values of the user's /
 * account's tags {@code key:value}; several values give one subject each, several tag templates in one subject
 * give every combination). Any other op makes the subject invalid.
 *
 * <p>Once a list holds a template, every subject of that list must come out valid: an invalid one is dropped
 * from an allow list and fails the login in a deny list (a missing tag is invalid). An allow list that was not
 * empty and ends up empty adds {@code >} to the matching deny list, so the user gets nothing rather than
 * everything.
 */
final class PermissionTemplates {

    private PermissionTemplates() {
    }

    /** The template with its pub/sub lists filled for {@code user} of {@code account}. */
    static UserLimits apply(UserLimits template, UserClaims user, AccountClaims account) throws JwtException {
        Context ctx = new Context(user, account);
        List<String> subAllow = allow(template.sub());
        List<String> pubAllow = allow(template.pub());
        List<String> newSubAllow = fill(subAllow, false, ctx);
        List<String> newSubDeny = fill(deny(template.sub()), true, ctx);
        List<String> newPubAllow = fill(pubAllow, false, ctx);
        List<String> newPubDeny = fill(deny(template.pub()), true, ctx);
        if (!subAllow.isEmpty() && newSubAllow.isEmpty()) {
            newSubDeny = withDenyAll(newSubDeny);
        }
        if (!pubAllow.isEmpty() && newPubAllow.isEmpty()) {
            newPubDeny = withDenyAll(newPubDeny);
        }
        return new UserLimits(permission(newPubAllow, newPubDeny), permission(newSubAllow, newSubDeny),
                template.resp(), template.src(), template.times(), template.locale(), template.subs(),
                template.data(), template.payload(), template.bearerToken(), template.allowedConnectionTypes());
    }

    private record Context(UserClaims user, AccountClaims account) {
        String accountName() {
            return account.jwt().name() == null ? "" : account.jwt().name();
        }

        List<String> accountTags() {
            List<String> t = Claims.strings(account.jwt().nats(), "tags");
            return t == null ? List.of() : t;
        }
    }

    private static List<String> allow(Permissions.SubjectPermission p) {
        return p == null || p.allow() == null ? List.of() : p.allow();
    }

    private static List<String> deny(Permissions.SubjectPermission p) {
        return p == null || p.deny() == null ? List.of() : p.deny();
    }

    private static Permissions.SubjectPermission permission(List<String> allow, List<String> deny) {
        if (allow.isEmpty() && deny.isEmpty()) {
            return null;
        }
        return new Permissions.SubjectPermission(allow.isEmpty() ? null : allow, deny.isEmpty() ? null : deny);
    }

    /** jwt's StringList.Add: {@code >} once. */
    private static List<String> withDenyAll(List<String> deny) {
        if (deny.contains(">")) {
            return deny;
        }
        List<String> out = new ArrayList<>(deny);
        out.add(">");
        return out;
    }

    private static boolean isTemplate(String token) {
        return token.startsWith("{{") && token.endsWith("}}");
    }

    private static String[] tokens(String subject) {
        return subject.split("\\.", -1);
    }

    /**
     * One list: unchanged when none of its subjects holds a template; otherwise each subject filled, invalid
     * ones dropped ({@code failOnInvalid} false) or failing the whole login.
     */
    private static List<String> fill(List<String> list, boolean failOnInvalid, Context ctx) throws JwtException {
        if (list.stream().noneMatch(s -> List.of(tokens(s)).stream().anyMatch(PermissionTemplates::isTemplate))) {
            return list;
        }
        List<String> out = new ArrayList<>(list.size());
        for (String subject : list) {
            for (String filled : fillOne(tokens(subject), ctx)) {
                if (Subjects.isValidSubscribeSubject(filled)) {
                    out.add(filled);
                } else if (failOnInvalid) {
                    throw new JwtException("generated invalid subject");
                }
            }
        }
        return out;
    }

    /**
     * The subjects one entry stands for. A tag template is a hole (null) filled from each combination of the
     * tags' values; a tag without values leaves an empty token, which makes the subject invalid.
     */
    private static List<String> fillOne(String[] tokens, Context ctx) {
        String[] filled = new String[tokens.length];
        List<List<String>> tagValues = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            String tk = tokens[i];
            if (!isTemplate(tk)) {
                filled[i] = tk;
                continue;
            }
            String op = tk.substring(2, tk.length() - 2).toLowerCase(Locale.ROOT);
            switch (op) {
                case "name()" -> filled[i] = ctx.user().jwt().name() == null ? "" : ctx.user().jwt().name();
                case "subject()" -> filled[i] = ctx.user().subject();
                case "account-name()" -> filled[i] = ctx.accountName();
                case "account-subject()" -> filled[i] = ctx.user().issuerAccount() == null ? ""
                        : ctx.user().issuerAccount();
                default -> {
                    boolean accountTag = op.startsWith("account-tag(");
                    if ((accountTag || op.startsWith("tag(")) && op.endsWith(")")) {
                        String key = op.substring(accountTag ? "account-tag(".length() : "tag(".length(),
                                op.length() - 1);
                        List<String> values = tagValues(accountTag ? ctx.accountTags() : ctx.user().tags(),
                                key + ":");
                        if (values.isEmpty()) {
                            filled[i] = ""; // nothing to fill in: the empty token invalidates the subject
                        } else {
                            filled[i] = null;
                            tagValues.add(values);
                        }
                    } else {
                        filled[i] = " "; // unknown op: a space invalidates the subject
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        if (tagValues.isEmpty()) {
            out.add(String.join(".", filled));
            return out;
        }
        int[] index = new int[tagValues.size()];
        while (true) {
            StringBuilder b = new StringBuilder();
            int hole = 0;
            for (int i = 0; i < filled.length; i++) {
                if (i > 0) {
                    b.append('.');
                }
                b.append(filled[i] != null ? filled[i] : tagValues.get(hole).get(index[hole++]));
            }
            out.add(b.toString());
            int j = index.length - 1; // the last tag varies fastest, as nats-server orders them
            while (j >= 0 && ++index[j] == tagValues.get(j).size()) {
                index[j--] = 0;
            }
            if (j < 0) {
                return out;
            }
        }
    }

    /** The values of the tags starting with {@code prefix} ({@code key:}), compared as written. */
    private static List<String> tagValues(List<String> tags, String prefix) {
        List<String> values = new ArrayList<>();
        for (String t : tags) {
            if (t.startsWith(prefix)) {
                values.add(t.substring(prefix.length()));
            }
        }
        return values;
    }
}
