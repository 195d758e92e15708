package dev.postern.server;

import dev.postern.LineEndingPolicy;
import dev.postern.Listener;
import dev.postern.proxy.CidrRange;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.relay.client.RelayTarget;
import dev.postern.relay.client.SocksProxy;
import dev.postern.relay.client.TlsMode;
import dev.postern.relay.queue.RetrySchedule;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * Picocli converters for the option types of {@code postern serve}. They throw
 * {@link TypeConversionException} so that picocli shows the parser's own one-line message.
 */
final class ValueConverters {

    private ValueConverters() {
    }

    static final class ListenerConverter implements ITypeConverter<Listener> {
        @Override
        public Listener convert(String value) {
            try {
                return Listener.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ByteSizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return DurationText.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LineEndingsConverter implements ITypeConverter<LineEndingPolicy> {
        @Override
        public LineEndingPolicy convert(String value) {
            try {
                return LineEndingPolicy.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of strict, normalize, leave");
            }
        }
    }

    static final class ProxyProtocolConverter implements ITypeConverter<ProxyProtocolMode> {
        @Override
        public ProxyProtocolMode convert(String value) {
            try {
                return ProxyProtocolMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of off, optional, required");
            }
        }
    }

    /**
     * A comma-separated trusted-sources list ({@code 10.0.0.0/8,::1} or {@code *}), checked here so that
     * a bad one is named at once; the lists of a repeated flag are put together by {@link TrustedSources#parse}.
     */
    static final class TrustedSourceConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                TrustedSources.parse(value);
                return value.strip();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class StartTlsConverter implements ITypeConverter<StartTlsMode> {
        @Override
        public StartTlsMode convert(String value) {
            try {
                return StartTlsMode.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of off, optional, required");
            }
        }
    }

    static final class ClientAuthConverter implements ITypeConverter<TlsConfig.ClientAuth> {
        @Override
        public TlsConfig.ClientAuth convert(String value) {
            try {
                return TlsConfig.ClientAuth.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of none, optional, require");
            }
        }
    }

    static final class LogLevelConverter implements ITypeConverter<LogThreshold> {
        @Override
        public LogThreshold convert(String value) {
            try {
                return LogThreshold.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of error, warn, info, debug, off");
            }
        }
    }

    static final class LogFormatConverter implements ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            try {
                return LogFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class RelayTargetConverter implements ITypeConverter<RelayTarget> {
        @Override
        public RelayTarget convert(String value) {
            try {
                return RelayTarget.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class RelayTlsConverter implements ITypeConverter<TlsMode> {
        @Override
        public TlsMode convert(String value) {
            try {
                return TlsMode.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of none, opportunistic, required, verify");
            }
        }
    }

    /** A retry schedule ({@code 1m,5m,1h}), checked here and kept as written: the maximum queue time is another flag. */
    static final class RetryScheduleConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                RetrySchedule.parse(value, Duration.ofDays(1));
                return value.strip();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An Exim {@code socks_proxy} list, checked here and kept as written. */
    static final class SocksProxyConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                SocksProxy.parseList(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A domain of --domains: a host name, lower case, without a trailing dot. */
    static final class DomainConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return RelayAccess.domain(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A comma-separated --relay-networks list, checked here so that a bad one, or an open relay, is named at once. */
    static final class RelayNetworksConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                RelayAccess.networks(value);
                return value.strip();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST:PORT} of a DNS server: an IP address, since the DNS server cannot be looked up in itself. */
    static final class DnsServerConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            Listener address;
            try {
                address = Listener.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            try {
                if (address.host().indexOf('/') >= 0) {
                    throw new IllegalArgumentException("a range");
                }
                return new InetSocketAddress(CidrRange.parse(address.host()).network(), address.port());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "': the DNS server is an IP address and a port, e.g. "
                        + "127.0.0.1:53 or [::1]:53");
            }
        }
    }
}
