/** A row-major n x d feature matrix of the probes (float32 input is fitted without widening it). */
export type FeatureMatrix = Float64Array | Float32Array;
