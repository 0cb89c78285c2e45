package io.natsboot.rider;

import io.nats.client.Message;
import io.natsboot.spring.annotation.NatsListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The task demo's worker: subscribes {@code tasks} and replies {@code Done!}. Role {@code tasks-worker}. */
@Component
@ConditionalOnRiderRole("tasks-worker")
public class TaskWorker {

    private static final Logger log = LoggerFactory.getLogger("tasks.worker");
    static final String DONE = "Done!";

    @NatsListener(subjects = TaskApiController.SUBJECT, id = "task-worker")
    String task(Message m, String payload) {
        log.info("[Received on \"{}\"] {}", m.getSubject(), payload);
        return DONE;
    }
}
