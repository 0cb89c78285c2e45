package io.natsboot.server.monitor;

/**
 * The query of /connz, as nats-server's {@code ConnzOptions}.
 *
 * @param sort          raw {@code sort} value ("" = by cid); validated by {@link Monitor#connz}
 * @param auth          add {@code authorized_user} / {@code account}
 * @param subs          add {@code subscriptions_list}
 * @param subsDetail    add {@code subscriptions_list_detail} (wins over {@code subs})
 * @param offset        paging offset (negative = 0)
 * @param limit         page size (0 or negative = 1024)
 * @param cid           only this connection (unsigned; 0 = all); forces limit 1
 * @param user          only connections of this user ("" = all)
 * @param account       only connections of this account ("" = all)
 * @param mqttClient    only this MQTT client id ("" = all; no MQTT here, so nothing matches)
 * @param filterSubject only connections with a subscription colliding with it; needs {@code account}
 */
public record ConnzOptions(String sort, boolean auth, boolean subs, boolean subsDetail, long offset, long limit,
                           long cid, ConnState state, String user, String account, String mqttClient,
                           String filterSubject) {

    public ConnzOptions {
        sort = sort == null ? "" : sort;
        state = state == null ? ConnState.OPEN : state;
        user = user == null ? "" : user;
        account = account == null ? "" : account;
        mqttClient = mqttClient == null ? "" : mqttClient;
        filterSubject = filterSubject == null ? "" : filterSubject;
    }

    /** All open connections sorted by cid, first page. */
    public static ConnzOptions defaults() {
        return new ConnzOptions("", false, false, false, 0, 0, 0, ConnState.OPEN, "", "", "", "");
    }
}
