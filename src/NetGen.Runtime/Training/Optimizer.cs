using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#else
using Vector = NetGen.Runtime.Vector;
#endif

namespace NetGen.Training;

/// <summary>
/// An optimizer: updates a parameter buffer from its gradients, keeping whatever state it needs
/// (momentum, moment estimates) for that one buffer. State is allocated on the first
/// <see cref="Step"/>, for that buffer's length; no later step allocates.
/// </summary>
/// <remarks>
/// <para>
/// Each update is written as PyTorch's <c>torch.optim</c> computes it, in float32, one
/// operation at a time in PyTorch's order (no fused multiply-add), so that a trajectory follows
/// PyTorch's to float32 rounding. The hyperparameters are read as the decimals they print as
/// (<c>0.9f</c> as 0.9, the Python float PyTorch would hold), and the bias corrections are
/// computed in double, as Python computes them.
/// </para>
/// <para>
/// One departure: a moment estimate or momentum that falls below float's smallest normal number
/// (about 1.2e-38) is stored as 0. A parameter whose gradient stays 0 (a unit that no longer
/// fires) has its averages decay geometrically into the subnormal range, where x64 multiplies
/// slowly (Adam's step over 109,386 such values took 56 µs instead of 31 on an AMD Zen 4), and
/// with round-to-nearest <c>0.9 · 2⁻¹⁴⁹</c> rounds back to <c>2⁻¹⁴⁹</c>, so the first moment
/// never reaches 0 and every later step stays slow. A value that small moves its parameter by
/// far less than the parameter's last bit, so the parameters keep PyTorch's values (a test
/// checks it over 1,500 steps). Adam flushes only where that holds: its first moment where
/// <c>ε &gt; 0</c> (the step it makes is at most <c>lr / (1 − β₁ᵗ) · 2⁻¹²⁶ / ε</c>), its
/// second where <c>√(2⁻¹²⁶) / √(1 − β₂ᵗ)</c> added to ε leaves ε's bits, so that the denominator
/// is PyTorch's to the bit; with <c>ε = 0</c> it flushes neither.
/// </para>
/// <para>An optimizer is not thread-safe, and belongs to one parameter buffer.</para>
/// </remarks>
public abstract class Optimizer
{
    /// <summary>The smallest normal float, 2⁻¹²⁶: averages below it are stored as 0 (see the remarks).</summary>
    private protected const float SmallestNormal = 1.17549435E-38f;

    private int _length = -1;
    private float _learningRate;
    private double _learningRateDecimal;

    /// <summary>Creates an optimizer with a learning rate, which must be positive and finite.</summary>
    protected Optimizer(float learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>The step size; may be changed between steps (a schedule).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            _learningRate = value > 0 && !float.IsInfinity(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Expected a positive, finite learning rate.");
            _learningRateDecimal = Decimal(value);
        }
    }

    /// <summary>The learning rate as the decimal it prints as (see the remarks).</summary>
    private protected double LearningRateDecimal => _learningRateDecimal;

    /// <summary>The number of steps taken.</summary>
    public long Steps { get; private set; }

    /// <summary>Updates <paramref name="parameters"/> from <paramref name="gradients"/> (same length), as <c>optimizer.step()</c>.</summary>
    /// <remarks>A NaN in a gradient makes its parameter NaN, as in PyTorch; <see cref="Clip.GradientNorm"/>'s result tells a caller to skip such a step.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or differ from the buffer of the first step.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (gradients.Length != parameters.Length)
        {
            throw new ArgumentException($"Expected gradients to have the parameters' length {parameters.Length}, but it is {gradients.Length}.", nameof(gradients));
        }

        if (_length < 0)
        {
            Allocate(parameters.Length);
            _length = parameters.Length;
        }
        else if (parameters.Length != _length)
        {
            throw new ArgumentException($"Expected parameters of length {_length}, the buffer this optimizer has stepped, but it is {parameters.Length}.", nameof(parameters));
        }

        Steps++;
        Update(parameters, gradients, Steps);
    }

    /// <summary>Allocates the state for a buffer of <paramref name="length"/> parameters.</summary>
    private protected abstract void Allocate(int length);

    /// <summary>Step <paramref name="step"/> (from 1) of the update.</summary>
    private protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step);

    /// <summary>A hyperparameter as the decimal it prints as: <c>0.9f</c> as 0.9.</summary>
    private protected static double Decimal(float value) =>
        double.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);

    private protected static void CheckNonNegative(float value, string name)
    {
        if (!(value >= 0) || float.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Expected a finite value of at least 0.");
        }
    }

    private protected static void CheckBeta(float value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, "Expected a value in [0, 1).");
        }
    }
}

/// <summary>
/// Stochastic gradient descent, as <c>torch.optim.SGD</c> (dampening 0): with weight decay
/// <c>g = ∇ + λθ</c>; with momentum <c>b = μb + g</c> (<c>b = g</c> on the first step) and
/// <c>g = b</c>, or <c>g = g + μb</c> with Nesterov; then <c>θ = θ − lr·g</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float _momentum;
    private readonly float _weightDecay;
    private readonly bool _nesterov;
    private float[] _buffer = Array.Empty<float>();

    /// <param name="learningRate">The step size.</param>
    /// <param name="momentum">The momentum factor μ (0: none).</param>
    /// <param name="weightDecay">The L2 penalty λ, added to the gradient.</param>
    /// <param name="nesterov">Nesterov momentum, which needs a momentum.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> without a momentum.</exception>
    public Sgd(float learningRate, float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(learningRate)
    {
        CheckNonNegative(momentum, nameof(momentum));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum needs a momentum above 0.", nameof(nesterov));
        }

        _momentum = (float)Decimal(momentum);
        _weightDecay = (float)Decimal(weightDecay);
        _nesterov = nesterov;
    }

    private protected override void Allocate(int length) => _buffer = _momentum == 0 ? Array.Empty<float>() : new float[length];

    private protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        float rate = -(float)LearningRateDecimal;
        float decay = _weightDecay, momentum = _momentum;
        int i0 = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // The same operations as the loop below, a vector at a time.
            var pv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var bv = momentum != 0 ? MemoryMarshal.Cast<float, Vector<float>>(_buffer.AsSpan()) : default;
            for (int k = 0; k < pv.Length; k++)
            {
                var g = gv[k];
                if (decay != 0)
                {
                    g += decay * pv[k];
                }

                if (momentum != 0)
                {
                    var b = step == 1 ? g : (bv[k] * momentum) + g;
                    b = Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(b), new Vector<float>(SmallestNormal)), Vector<float>.Zero, b);
                    bv[k] = b;
                    g = _nesterov ? g + (momentum * b) : b;
                }

                pv[k] += rate * g;
            }

            i0 = pv.Length * Vector<float>.Count;
        }

        for (int i = i0; i < parameters.Length; i++)
        {
            float g = gradients[i];
            if (decay != 0)
            {
                g += decay * parameters[i];
            }

            if (momentum != 0)
            {
                float b = step == 1 ? g : (_buffer[i] * momentum) + g;
                b = MathF.Abs(b) < SmallestNormal ? 0f : b;
                _buffer[i] = b;
                g = _nesterov ? g + (momentum * b) : b;
            }

            parameters[i] += rate * g;
        }
    }
}

/// <summary>
/// Adam, as <c>torch.optim.Adam</c> (no AMSGrad): <c>g = ∇ + λθ</c> (weight decay as an L2
/// penalty), <c>m = β₁m + (1−β₁)g</c>, <c>v = β₂v + (1−β₂)g²</c>, and
/// <c>θ = θ − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)</c>.
/// </summary>
public class Adam : Optimizer
{
    private readonly float _beta1, _beta2, _epsilon;
    private readonly double _beta1Decimal, _beta2Decimal, _weightDecayDecimal;
    private float[] _m = Array.Empty<float>();
    private float[] _v = Array.Empty<float>();

    /// <param name="learningRate">The step size.</param>
    /// <param name="beta1">The decay of the first moment's average.</param>
    /// <param name="beta2">The decay of the second moment's average.</param>
    /// <param name="epsilon">Added to the denominator.</param>
    /// <param name="weightDecay">The L2 penalty λ, added to the gradient (AdamW decays the weights instead).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
        : base(learningRate)
    {
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        CheckNonNegative(epsilon, nameof(epsilon));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        _beta1Decimal = Decimal(beta1);
        _beta2Decimal = Decimal(beta2);
        _beta1 = (float)_beta1Decimal;
        _beta2 = (float)_beta2Decimal;
        _epsilon = (float)Decimal(epsilon);
        _weightDecayDecimal = Decimal(weightDecay);
        WeightDecay = (float)_weightDecayDecimal;
    }

    /// <summary>The weight decay λ.</summary>
    protected float WeightDecay { get; }

    /// <summary>Whether the decay is an L2 term of the gradient (Adam) rather than decoupled from it (AdamW).</summary>
    private protected virtual bool DecayInGradient => true;

    private protected override void Allocate(int length)
    {
        _m = new float[length];
        _v = new float[length];
    }

    private protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        double rate = LearningRateDecimal;
        if (!DecayInGradient && WeightDecay != 0)
        {
            // AdamW: θ = θ · (1 − lr·λ) before the Adam step.
            float keep = (float)(1 - (rate * _weightDecayDecimal));
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] *= keep;
            }
        }

        float decay = DecayInGradient ? WeightDecay : 0f;
        float beta1 = _beta1, beta2 = _beta2;
        float oneMinusBeta1 = (float)(1 - _beta1Decimal), oneMinusBeta2 = (float)(1 - _beta2Decimal);
        double correction1 = 1 - Math.Pow(_beta1Decimal, step);
        double correction2 = 1 - Math.Pow(_beta2Decimal, step);
        float stepSize = -(float)(rate / correction1);
        // √v / √(1−β₂ᵗ) as a product with the reciprocal, a division fewer per value (within an ulp of PyTorch's quotient).
        float inverseCorrection2Sqrt = (float)(1 / Math.Sqrt(correction2));
        float epsilon = _epsilon;

        // The averages stored as 0 below these (see the class's remarks); 0 flushes nothing.
        float firstFloor = epsilon > 0 ? SmallestNormal : 0f;
        float secondFloor = epsilon > 0 && (MathF.Sqrt(SmallestNormal) * inverseCorrection2Sqrt) + epsilon == epsilon ? SmallestNormal : 0f;

        Span<float> m = _m, v = _v;
        int n = parameters.Length, i0 = 0;
#if NET8_0_OR_GREATER
        if (Vector512.IsHardwareAccelerated)
        {
            // The same operations as the loops below, sixteen lanes at a time.
            var vb1 = Vector512.Create(beta1);
            var vb2 = Vector512.Create(beta2);
            var v1 = Vector512.Create(oneMinusBeta1);
            var v2 = Vector512.Create(oneMinusBeta2);
            var vs = Vector512.Create(stepSize);
            var vc = Vector512.Create(inverseCorrection2Sqrt);
            var ve = Vector512.Create(epsilon);
            var vd = Vector512.Create(decay);
            var vn = Vector512.Create(firstFloor);
            var vn2 = Vector512.Create(secondFloor);
            ref float rp = ref MemoryMarshal.GetReference(parameters);
            ref float rg = ref MemoryMarshal.GetReference(gradients);
            ref float rm = ref MemoryMarshal.GetReference(m);
            ref float rv = ref MemoryMarshal.GetReference(v);
            for (; i0 + Vector512<float>.Count <= n; i0 += Vector512<float>.Count)
            {
                nuint at = (nuint)i0;
                var p = Vector512.LoadUnsafe(ref rp, at);
                var g = Vector512.LoadUnsafe(ref rg, at);
                if (decay != 0)
                {
                    g += vd * p;
                }

                var mk = (Vector512.LoadUnsafe(ref rm, at) * vb1) + (g * v1);
                var sk = (Vector512.LoadUnsafe(ref rv, at) * vb2) + (v2 * g * g);
                mk = Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(mk), vn), Vector512<float>.Zero, mk);
                sk = Vector512.ConditionalSelect(Vector512.LessThan(sk, vn2), Vector512<float>.Zero, sk);
                mk.StoreUnsafe(ref rm, at);
                sk.StoreUnsafe(ref rv, at);
                (p + (vs * mk / ((Vector512.Sqrt(sk) * vc) + ve))).StoreUnsafe(ref rp, at);
            }
        }
#endif
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(beta1);
            var vb2 = new Vector<float>(beta2);
            var v1 = new Vector<float>(oneMinusBeta1);
            var v2 = new Vector<float>(oneMinusBeta2);
            var vs = new Vector<float>(stepSize);
            var vc = new Vector<float>(inverseCorrection2Sqrt);
            var ve = new Vector<float>(epsilon);
            var vd = new Vector<float>(decay);
            var vn = new Vector<float>(firstFloor);
            var vn2 = new Vector<float>(secondFloor);
            var pv = MemoryMarshal.Cast<float, Vector<float>>(parameters.Slice(i0));
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradients.Slice(i0));
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m.Slice(i0));
            var sv = MemoryMarshal.Cast<float, Vector<float>>(v.Slice(i0));
            for (int k = 0; k < pv.Length; k++)
            {
                var g = decay == 0 ? gv[k] : gv[k] + (vd * pv[k]);
                var mk = (mv[k] * vb1) + (g * v1);
                var sk = (sv[k] * vb2) + (v2 * g * g);
                mk = Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(mk), vn), Vector<float>.Zero, mk);
                sk = Vector.ConditionalSelect(Vector.LessThan(sk, vn2), Vector<float>.Zero, sk);
                mv[k] = mk;
                sv[k] = sk;
                pv[k] += vs * mk / ((Vector.SquareRoot(sk) * vc) + ve);
            }

            i0 += pv.Length * Vector<float>.Count;
        }

        for (int i = i0; i < n; i++)
        {
            float g = gradients[i];
            if (decay != 0)
            {
                g += decay * parameters[i];
            }

            float mi = (m[i] * beta1) + (g * oneMinusBeta1);
            float vi = (v[i] * beta2) + (oneMinusBeta2 * g * g);
            mi = MathF.Abs(mi) < firstFloor ? 0f : mi;
            vi = vi < secondFloor ? 0f : vi;
            m[i] = mi;
            v[i] = vi;
            parameters[i] += stepSize * mi / ((MathF.Sqrt(vi) * inverseCorrection2Sqrt) + epsilon);
        }
    }
}

/// <summary>
/// AdamW, as <c>torch.optim.AdamW</c>: the weights decay by <c>θ = θ(1 − lr·λ)</c>, apart from the
/// gradient, then the Adam step without an L2 term.
/// </summary>
public sealed class AdamW : Adam
{
    /// <param name="learningRate">The step size.</param>
    /// <param name="beta1">The decay of the first moment's average.</param>
    /// <param name="beta2">The decay of the second moment's average.</param>
    /// <param name="epsilon">Added to the denominator.</param>
    /// <param name="weightDecay">The decoupled weight decay λ.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(learningRate, beta1, beta2, epsilon, weightDecay)
    {
    }

    private protected override bool DecayInGradient => false;
}
