/**
 * A Micrometer {@code MeterBinder} for an embedded Postern server: {@link dev.postern.micrometer.PosternMeterBinder}.
 */
module dev.postern.micrometer {
    exports dev.postern.micrometer;

    requires transitive dev.postern.core;
    // Micrometer has no module descriptor of its own (an automatic module): its types are in this API.
    requires transitive micrometer.core;
}
