package io.natsboot.rider;

/** api-server: the kit identity and NATS connection behind the HTTP {@link RidesController}. */
class ApiServer extends Component {

    static final String KIND = "api-server";
    static final String VERSION = "0.1.0";

    ApiServer() {
        super(KIND);
    }
}
