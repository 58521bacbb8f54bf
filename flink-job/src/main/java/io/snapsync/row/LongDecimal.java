package io.snapsync.row;

/**
 * A decimal whose unscaled value fits a long, as a decoder hands it to {@link JdbcRowEncoder#encodeValues}: written as
 * the same canonical field as the BigDecimal of it, without building that BigDecimal and its BigInteger (UNLOAD's
 * Parquet decimals are INT32, INT64 or up to 8 bytes for precisions up to 18, and this was ~10% of reading them).
 */
public record LongDecimal(long unscaled, int scale) {}
