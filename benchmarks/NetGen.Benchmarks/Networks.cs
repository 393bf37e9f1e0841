namespace NetGen.Benchmarks;

// N1: the 2-3-2-1 network of the format's example, with its exact weights.
[Network("lesson.netgen.json")]
public static partial class Lesson;

[Network("lesson.netgen.json", Strategy = NetworkStrategy.Kernel)]
public static partial class LessonKernel;

[Network("lesson.netgen.json", Strategy = NetworkStrategy.Vectorized)]
public static partial class LessonVectorized;

// N2: 784-128-64-10, ReLU, ReLU, softmax.
[Network("n2.netgen.json")]
public static partial class N2;

[Network("n2.netgen.json", Strategy = NetworkStrategy.Unrolled)]
public static partial class N2Unrolled;

[Network("n2.netgen.json", Strategy = NetworkStrategy.Kernel)]
public static partial class N2Kernel;

// N3: 512-2048-512 with GELU.
[Network("n3.netgen.json")]
public static partial class N3;

[Network("n3.netgen.json", Strategy = NetworkStrategy.Kernel)]
public static partial class N3Kernel;

// The trained digits classifier of the sample (64-32-16-10).
[Network("digits.netgen.json")]
public static partial class Digits;

[Network("digits.netgen.json", Strategy = NetworkStrategy.Unrolled)]
public static partial class DigitsUnrolled;

[Network("digits.netgen.json", Strategy = NetworkStrategy.Vectorized)]
public static partial class DigitsVectorized;

[Network("digits.netgen.json", Strategy = NetworkStrategy.Kernel)]
public static partial class DigitsKernel;

// G1: 1024-4096-1024 with GELU, weights in a file, every linear layer on the GPU path.
[Network("g1.netgen.json", Gpu = GpuLayers.All)]
public static partial class G1;

#if LARGE_BENCHMARKS
// G2: 4096-16384-4096 with GELU (134M weights in a file), every linear layer on the GPU path.
[Network("g2.netgen.json", Gpu = GpuLayers.All)]
public static partial class G2;
#endif
