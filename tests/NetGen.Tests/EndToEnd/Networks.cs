namespace NetGen.Tests.EndToEnd;

// Networks compiled by the generator running as an analyzer of this project, exactly as a user's build runs it.

/// <summary>The spec's example: the network of the forward-pass lesson.</summary>
[Network("Networks/lesson.netgen.json")]
public static partial class Lesson;

/// <summary>W1 = [[1,-1],[0,1],[1,1]], ReLU, W2 = [[1,1,1]]: [2, -1] gives 4.</summary>
[Network("relu-sum.netgen.json")]
public static partial class ReluSum;

/// <summary>W1 = [[2,0],[0,-1]], b1 = [0,1], ReLU, W2 = [[1,1]], b2 = [-1]: [1, 1] gives 1.</summary>
[Network(@"Networks\relu-bias.netgen.json")]
public static partial class ReluBias;

/// <summary>A softmax alone, for extreme inputs.</summary>
[Network("softmax.netgen.json")]
internal static partial class SoftmaxOnly;

/// <summary>Every structural op, with named layers.</summary>
[Network("block.netgen.json")]
public static partial class Block;

/// <summary>The trained digits classifier shipped with the sample.</summary>
[Network("digits.netgen.json")]
public static partial class Digits;

/// <summary>The digits classifier with every layer a call into the runtime's kernels.</summary>
[Network("digits.netgen.json", Strategy = NetworkStrategy.Kernel)]
public static partial class DigitsKernel;

/// <summary>The digits classifier with every layer unrolled.</summary>
[Network("digits.netgen.json", Strategy = NetworkStrategy.Unrolled)]
public static partial class DigitsUnrolled;

/// <summary>Nested in a non-static partial class, in a namespace: the generator reopens both.</summary>
public partial class Outer
{
    [Network("lesson.netgen.json")]
    internal static partial class NestedLesson;
}

/// <summary>40-300-10 with a norm and a swiglu residual block, every tensor but one bias in an embedded weight file.</summary>
[Network("external.netgen.json")]
public static partial class External;

/// <summary>The lesson's network with a trainable Model.</summary>
[Network("lesson.netgen.json", Trainable = true)]
public static partial class TrainableLesson;

/// <summary>Every structural op, named, with a trainable Model.</summary>
[Network("block.netgen.json", Trainable = true)]
public static partial class TrainableBlock;

/// <summary>The digits classifier with a trainable Model.</summary>
[Network("digits.netgen.json", Trainable = true)]
public static partial class TrainableDigits;
