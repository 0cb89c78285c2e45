package io.natsboot.server.monitor;

/**
 * The query of /subsz.
 *
 * @param subscriptions list the subscriptions (else only the statistics)
 * @param offset        paging offset (negative = 0)
 * @param limit         page size (0 or negative = 1024)
 * @param account       only this account ("" = all)
 * @param test          only subscriptions a message on this literal subject would reach ("" = all)
 */
public record SubszOptions(boolean subscriptions, long offset, long limit, String account, String test) {
    public SubszOptions {
        account = account == null ? "" : account;
        test = test == null ? "" : test;
    }

    public static SubszOptions defaults() {
        return new SubszOptions(false, 0, 0, "", "");
    }
}
