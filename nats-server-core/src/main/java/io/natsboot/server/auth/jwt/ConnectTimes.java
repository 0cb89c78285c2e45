package io.natsboot.server.auth.jwt;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * A user JWT's {@code times}: connections are allowed inside one of the daily windows ({@code HH:MM:SS} to
 * {@code HH:MM:SS} in {@code times_location}, else the server's zone), and the connection ends when its window
 * does (nats-server's validateTimes; a window whose end is before its start runs into the next day).
 */
final class ConnectTimes {
    private ConnectTimes() {
    }

    /** Whether a connection is allowed now, and for how long (0 = no window given, no limit). */
    record Window(boolean allowed, long validForNanos) {
    }

    static Window check(List<UserLimits.TimeRange> times, String locale) {
        return check(times, locale, null);
    }

    static Window check(List<UserLimits.TimeRange> times, String locale, ZonedDateTime at) {
        if (times.isEmpty()) {
            return new Window(true, 0);
        }
        ZoneId zone;
        try {
            zone = locale == null || locale.isEmpty() ? ZoneId.systemDefault() : ZoneId.of(locale);
        } catch (DateTimeException e) {
            return new Window(false, 0);
        }
        ZonedDateTime now = at != null ? at.withZoneSameInstant(zone) : ZonedDateTime.now(zone);
        LocalDate today = now.toLocalDate();
        for (UserLimits.TimeRange r : times) {
            LocalTime start;
            LocalTime end;
            try {
                start = LocalTime.parse(r.start());
                end = LocalTime.parse(r.end());
            } catch (DateTimeParseException | NullPointerException e) {
                return new Window(false, 0);
            }
            ZonedDateTime s = ZonedDateTime.of(today, start, zone);
            ZonedDateTime e = ZonedDateTime.of(start.isAfter(end) ? today.plusDays(1) : today, end, zone);
            if (s.isBefore(now) && e.isAfter(now)) {
                return new Window(true, java.time.Duration.between(now, e).toNanos());
            }
        }
        return new Window(false, 0);
    }
}
