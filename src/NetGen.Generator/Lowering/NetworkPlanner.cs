using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Generator.Checking;
using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

/// <summary>
/// Lowers a checked description to a <see cref="NetworkPlan"/>: one step per kernel call,
/// build-time constants folded (batch_norm's scale), and a scratch layout in which a tensor's
/// memory is reused once no later step reads it.
/// </summary>
internal sealed class NetworkPlanner
{
    private readonly List<TensorPlan> _tensors = new();
    private readonly List<WeightPlan> _weights = new();
    private readonly List<StepPlan> _steps = new();
    private readonly List<SummaryRow> _summary = new();
    private readonly List<bool?> _gpu = new();
    private readonly EquatableArray<int> _inputSizes;
    private int _layer;
    private readonly CancellationToken _cancellationToken;
    private readonly NetworkStrategy _strategy;
    private long _parameters;

    private readonly bool _intrinsics;
    private readonly EquatableArray<InputPart> _parts;

    private NetworkPlanner(NetworkStrategy strategy, bool intrinsics, EquatableArray<int> inputSizes, EquatableArray<InputPart> parts, CancellationToken cancellationToken)
    {
        _strategy = strategy;
        _intrinsics = intrinsics;
        _inputSizes = inputSizes;
        _parts = parts;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// The most multiply-adds a linear layer may have to be unrolled under
    /// <see cref="NetworkStrategy.Auto"/>; larger layers get vectorized loops. Measured with the
    /// benchmarks' <c>UnrollThresholdBenchmarks</c> (one layer, both strategies, AVX-512): the
    /// unrolled layer is 1.35× as fast at 16 multiply-adds and 1.13× at 32; the vectorized loop
    /// is 1.13× as fast at 64, 1.56× at 128 and 3.3× at 256. 48 sits between the last size where
    /// unrolling wins and the first where it loses.
    /// </summary>
    public const int UnrollLimit = 48;

    /// <summary>
    /// The strategy for a linear step of <paramref name="multiplyAdds"/> under a network-wide
    /// choice. Under <see cref="NetworkStrategy.Auto"/>, a layer too large to unroll gets a
    /// vectorized loop at every size: measured against the kernel call on the same packed weights,
    /// the loop is as fast or faster from the digits model's layers (2,048 multiply-adds) to N3's
    /// (1,048,576), because its sizes are constants and it skips the call's argument checks.
    /// A step whose weights come from a file (<paramref name="external"/>) always calls the
    /// kernels: there are no values to unroll or pack at build time. Without .NET 8's
    /// <c>System.Runtime.Intrinsics</c> (<paramref name="intrinsics"/> false: netstandard2.1,
    /// Unity) a vectorized step calls the kernels too, which the runtime's build for that
    /// framework runs with <c>Vector&lt;T&gt;</c>.
    /// </summary>
    public static LinearStrategy Choose(NetworkStrategy strategy, long multiplyAdds, bool external, bool intrinsics = true)
    {
        var chosen = external ? LinearStrategy.Kernel : strategy switch
        {
            NetworkStrategy.Unrolled => LinearStrategy.Unrolled,
            NetworkStrategy.Kernel => LinearStrategy.Kernel,
            NetworkStrategy.Vectorized => LinearStrategy.Vectorized,
            _ => multiplyAdds <= UnrollLimit ? LinearStrategy.Unrolled : LinearStrategy.Vectorized,
        };
        return chosen == LinearStrategy.Vectorized && !intrinsics ? LinearStrategy.Kernel : chosen;
    }

    /// <summary>
    /// Plans one class's network: the description as checked, with the class's attribute and the
    /// project's settings applied (strategy, GPU placement), and whether NetGen.Gpu is referenced.
    /// </summary>
    /// <param name="network">The checked description.</param>
    /// <param name="target">The class: its attribute's strategy and GPU overrides.</param>
    /// <param name="project">The project's NetGenStrategy, applied where the class states none.</param>
    /// <param name="compilation">What the compilation offers: NetGen.Gpu (a network with GPU layers then gets a session), SkipLocalsInit.</param>
    /// <param name="sourceFileName">How the generated file names where the description came from.</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    public static NetworkPlan Plan(CheckedNetwork network, NetworkTarget target, ProjectOptions project, CompilationFacts compilation, string sourceFileName, CancellationToken cancellationToken)
    {
        NetworkSpec spec = network.Spec;
        NetworkStrategy strategy = target.Strategy != NetworkStrategy.Auto ? target.Strategy : project.Strategy ?? spec.Strategy;
        var planner = new NetworkPlanner(strategy, compilation.Intrinsics, network.InputSizes, spec.Inputs, cancellationToken);
        var (output, outputSize) = planner.PlanLayers(spec.Layers, NetworkPlan.Input, parentIndex: null, parentStage: null);

        var placement = Placement(planner._steps, planner._gpu, planner._weights, target.Gpu ?? spec.Gpu, target.GpuMinWeights ?? spec.GpuMinWeights);
        bool gpuSession = compilation.GpuReferenced && placement is not null;
        var steps = planner._steps.Select((step, i) => step with { OnDevice = gpuSession && placement![i] }).ToList();
        steps = Fuse(steps, output, gpuSession);
        var weights = Store(steps, planner._weights, gpuSession);
        var tensors = LayOutScratch(steps, planner._tensors, output, out int scratchLength);
        bool batchCore = steps.Any(s => s.Kind == StepKind.Linear && s.Strategy != LinearStrategy.Unrolled);
        bool inLocals = InLocals(steps, tensors, spec.InputSize, planner._summary);
        if (inLocals)
        {
            scratchLength = 0;
        }

        return new NetworkPlan(
            sourceFileName,
            spec.Description,
            spec.InputSize,
            outputSize,
            output,
            planner._parameters,
            tensors.ToEquatableArray(),
            weights.ToEquatableArray(),
            steps.ToEquatableArray(),
            scratchLength,
            planner._summary.ToEquatableArray(),
            strategy,
            batchCore ? BatchRows(scratchLength) : 0,
            placement is not null,
            gpuSession,
            compilation.SkipLocalsInit,
            compilation.Language,
            inLocals,
            target.Trainable ? TrainingPlanner.Plan(network, cancellationToken) : null,
            spec.Inputs,
            spec.Constants);
    }

    /// <summary>
    /// The most values (input and every tensor) and multiply-adds a network whose tensors all
    /// live in locals may have: N1's 2-3-2-1 has 14 values and 14 multiply-adds; 256 and 1,024
    /// keep the one method small enough for the JIT to allocate its registers well.
    /// </summary>
    public const int LocalsLimit = 256;

    /// <summary>See <see cref="LocalsLimit"/>.</summary>
    public const int LocalsTermLimit = 1024;

    /// <summary>
    /// Whether <c>Forward</c> keeps every tensor in a local: every step is an unrolled layer or
    /// an activation with a one-value form, and the network is tiny (<see cref="LocalsLimit"/>).
    /// </summary>
    /// <remarks>
    /// An activation must be fused into the unrolled layer before it: both <c>Forward</c>s then
    /// compute it with its one-value form. One on its own (on the input, or after another
    /// activation) is a step over a span in <c>Forward(..., ref cache)</c>, whose vector form
    /// may round differently from the one-value form.
    /// </remarks>
    private static bool InLocals(List<StepPlan> steps, List<TensorPlan> tensors, int inputSize, List<SummaryRow> summary) =>
        steps.Any(s => s.Kind == StepKind.Linear)
        && steps.Select((s, i) => (s.Kind == StepKind.Linear && s.Strategy == LinearStrategy.Unrolled && !s.OnDevice)
            || (s.Kind == StepKind.Activation && i > 0 && steps[i - 1].Fuses.HasFlag(Fusion.Forward))).All(ok => ok)
        && inputSize + tensors.Sum(t => (long)t.Size) <= LocalsLimit
        && summary.Sum(r => r.MultiplyAdds) <= LocalsTermLimit;

    /// <summary>The most samples one batch block holds.</summary>
    public const int MaxBatchRows = 64;

    /// <summary>The scratch one batch block may use: 16 MiB (4 Mi floats).</summary>
    private const int BatchScratchFloats = 4 << 20;

    /// <summary>How many samples one batch block holds: up to <see cref="MaxBatchRows"/>, within 16 MiB of scratch.</summary>
    private static int BatchRows(int scratchLength) =>
        scratchLength == 0 ? MaxBatchRows : Math.Max(1, Math.Min(MaxBatchRows, BatchScratchFloats / scratchLength));

    private (string Output, int Size) PlanLayers(EquatableArray<LayerSpec> layers, string input, string? parentIndex, string? parentStage)
    {
        string[] stages = TensorNames.Stages(layers, parentStage);
        int size = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            (input, size) = PlanLayer(layers[i], input, _inputSizes[_layer++], TensorNames.Index(parentIndex, i + 1), stages[i]);
        }

        return (input, size);
    }

    /// <param name="index">The layer's number in the description ("3", "3.2"), for comments.</param>
    /// <param name="path">Its stage label ("3", "3_2", "3b"), for names (the Cache's fields and the constants).</param>
    private (string Output, int Size) PlanLayer(LayerSpec layer, string input, int size, string index, string path)
    {
        string output = TensorNames.Output(layer, path);
        string where = "layer " + index;
        switch (layer)
        {
            case LinearSpec linear:
            {
                string z = linear.Activation is null ? output : TensorNames.PreActivation(linear, path);
                string w = AddWeight("W" + path, linear.Weight, $"weight of {where} (linear {size} → {linear.Out}), [out, in] row-major");
                string b = linear.Bias is null ? string.Empty : AddWeight("B" + path, linear.Bias, $"bias of {where}");
                long parameters = linear.Weight.ElementCount + (linear.Bias?.ElementCount ?? 0);
                AddTensor(z, linear.Out, linear.Activation is null ? $"Output of {where} (linear {size} → {linear.Out})." : $"Output of {where} (linear {size} → {linear.Out}) before its activation.");
                AddLinear(input, z, w, b, (long)linear.Out * size, index, linear.Gpu);
                _summary.Add(new SummaryRow(z, "linear", linear.Out, parameters, (long)linear.Out * size));
                _parameters += parameters;
                if (linear.Activation is not null)
                {
                    PlanActivation(linear.Activation, z, output, linear.Out, index, $"Output of {where}'s {LayerOpNames.Of(linear.Activation)} activation.");
                }

                return (output, linear.Out);
            }

            case ActivationSpec activation:
                PlanActivation(activation, input, output, size, index, $"Output of {where} ({LayerOpNames.Of(activation)}).");
                return (output, size);

            case NormSpec norm:
                return (PlanNorm(norm, input, output, size, index, path), size);

            case SliceSpec slice:
            {
                // A copy of the features [start, end) of each row; the start is the step's scalar.
                int length = (slice.End ?? size) - slice.Start;
                AddTensor(output, length, $"Output of {where} (slice {slice.Start}..{slice.Start + length} of {size}).");
                AddStep(StepKind.Slice, new[] { input }, output, Array.Empty<string>(), slice.Start, index);
                _summary.Add(new SummaryRow(output, "slice", length, 0, 0));
                return (output, length);
            }

            case MaskSpec mask:
            {
                // Reads the network's input from the offset (the step's argument); the fill is its scalar.
                int offset = mask.InputOffset(_parts);
                AddTensor(output, size, $"Output of {where} (mask of {size} from input feature {offset}).");
                _steps.Add(new StepPlan(StepKind.Mask, new EquatableArray<string>(new[] { input, NetworkPlan.Input }), output, EquatableArray<string>.Empty, mask.Fill, index,
                    Arguments: new EquatableArray<float>(new float[] { offset })));
                _summary.Add(new SummaryRow(output, "mask", size, 0, 0));
                return (output, size);
            }

            case ArgMaxSpec argmax:
            {
                // The group sizes are the step's arguments (exact as floats: at most 2^24).
                var groups = argmax.Groups.Count == 0 ? new[] { size } : argmax.Groups.ToArray();
                AddTensor(output, groups.Length, groups.Length == 1 ? $"Output of {where} (argmax of {size} features): the index as a float." : $"Output of {where} (argmax of {groups.Length} groups): the indices as floats.");
                _steps.Add(new StepPlan(StepKind.ArgMax, new EquatableArray<string>(new[] { input }), output, EquatableArray<string>.Empty, argmax.Last ? 1 : 0, index,
                    Arguments: new EquatableArray<float>(groups.Select(g => (float)g).ToArray())));
                _summary.Add(new SummaryRow(output, "argmax", groups.Length, 0, 0));
                return (output, groups.Length);
            }

            case AffineSpec affine:
            {
                // The kernel takes one scale and one shift per feature: a scalar is spread over
                // the features, and an absent one is 1 or 0 (x ⊙ 1 and x + 0 are exact).
                string sc = AddWeight("Scale" + path, Spread(affine.Scale, size, 1f), $"scale of {where} (affine){(affine.Scale is null ? ", absent: 1" : string.Empty)}");
                string sh = AddWeight("Shift" + path, Spread(affine.Shift, size, 0f), $"shift of {where} (affine){(affine.Shift is null ? ", absent: 0" : string.Empty)}");
                AddTensor(output, size, $"Output of {where} (affine).");
                AddStep(StepKind.Affine, new[] { input }, output, new[] { sc, sh }, 0, index);
                _summary.Add(new SummaryRow(output, "affine", size, 0, 0));
                return (output, size);
            }

            case ResidualSpec residual:
            {
                var (inner, _) = PlanLayers(residual.Layers, input, index, path);
                AddTensor(output, size, $"Output of {where} (residual): its input plus its inner layers' output.");
                AddStep(StepKind.Add, new[] { input, inner }, output, Array.Empty<string>(), 0, index);
                _summary.Add(new SummaryRow(output, "residual", size, 0, 0));
                return (output, size);
            }

            case SwiGluSpec swiglu:
            {
                int hidden = swiglu.Hidden;
                int outSize = swiglu.Out ?? size;
                string gate = TensorNames.SwiGluGate(output), up = TensorNames.SwiGluUp(output), h = TensorNames.SwiGluHidden(output);
                string wg = AddWeight("Gate" + path, swiglu.Gate, $"gate weight of {where} (swiglu), [hidden, in] row-major");
                string wu = AddWeight("Up" + path, swiglu.Up, $"up weight of {where} (swiglu), [hidden, in] row-major");
                string wd = AddWeight("Down" + path, swiglu.Down, $"down weight of {where} (swiglu), [out, hidden] row-major");
                AddTensor(gate, hidden, $"gate·x of {where} (swiglu).");
                AddTensor(up, hidden, $"up·x of {where} (swiglu).");
                AddTensor(h, hidden, $"silu(gate·x) ⊙ up·x of {where} (swiglu).");
                AddTensor(output, outSize, $"Output of {where} (swiglu {size} → {hidden} → {outSize}).");
                AddLinear(input, gate, wg, string.Empty, (long)hidden * size, index, swiglu.Gpu);
                AddLinear(input, up, wu, string.Empty, (long)hidden * size, index, swiglu.Gpu);
                AddStep(StepKind.SwiGluGate, new[] { gate, up }, h, Array.Empty<string>(), 0, index);
                AddLinear(h, output, wd, string.Empty, (long)outSize * hidden, index, swiglu.Gpu);
                long parameters = swiglu.Gate.ElementCount + (long)swiglu.Up.ElementCount + swiglu.Down.ElementCount;
                _summary.Add(new SummaryRow(output, "swiglu", outSize, parameters, (2L * hidden * size) + hidden + ((long)outSize * hidden)));
                _parameters += parameters;
                return (output, outSize);
            }

            default:
                throw new InvalidOperationException("Every layer record is handled above.");
        }
    }

    private void PlanActivation(ActivationSpec activation, string input, string output, int size, string index, string summary)
    {
        AddTensor(output, size, summary);
        _steps.Add(new StepPlan(StepKind.Activation, new EquatableArray<string>(new[] { input }), output, EquatableArray<string>.Empty, 0, index,
            Function: activation.Function, Arguments: activation.Arguments));
        _summary.Add(new SummaryRow(output, LayerOpNames.Of(activation), size, 0, 0));
    }

    private string PlanNorm(NormSpec norm, string input, string output, int size, string index, string path)
    {
        string where = $"layer {index} ({LayerOpNames.Of(norm.Op)})";
        // batch_norm's γ and β are folded into its scale and shift below, and not stored themselves.
        bool folded = norm.Op == LayerOp.BatchNorm;
        string weight = norm.Weight is null || folded ? string.Empty : AddWeight("Gamma" + path, norm.Weight, "weight (γ) of " + where);
        string bias = norm.Bias is null || folded ? string.Empty : AddWeight("Beta" + path, norm.Bias, "bias (β) of " + where);
        long parameters = (norm.Weight?.ElementCount ?? 0) + (norm.Bias?.ElementCount ?? 0);
        AddTensor(output, size, $"Output of {where}.");
        switch (norm.Op)
        {
            case LayerOp.LayerNorm:
                AddStep(StepKind.LayerNorm, new[] { input }, output, new[] { weight, bias }, norm.Epsilon.Value, index);
                break;
            case LayerOp.RmsNorm:
                AddStep(StepKind.RmsNorm, new[] { input }, output, new[] { weight }, norm.Epsilon.Value, index);
                break;
            default:
            {
                // One scale and shift per feature, folded at build time in double (each rounded to
                // float32 once): (x − μ) ⊙ γ / √(running_var + ε) + β = x ⊙ scale + shift.
                var mean = norm.RunningMean!;
                var variance = norm.RunningVar!;
                var scale = new float[size];
                var shift = new float[size];
                for (int i = 0; i < size; i++)
                {
                    double gamma = norm.Weight is null ? 1.0 : norm.Weight.Values[i];
                    double beta = norm.Bias is null ? 0.0 : norm.Bias.Values[i];
                    double s = gamma / Math.Sqrt(variance.Values[i] + norm.Epsilon.Value);
                    scale[i] = (float)s;
                    shift[i] = (float)(beta - (mean.Values[i] * s));
                }

                string sc = AddWeight("Scale" + path, new TensorSpec(mean.Shape, new EquatableArray<float>(scale), mean.Range), $"γ / √(running_var + ε) of {where}, folded at build time");
                string sh = AddWeight("Shift" + path, new TensorSpec(mean.Shape, new EquatableArray<float>(shift), mean.Range), $"β − running_mean ⊙ scale of {where}, folded at build time");
                AddStep(StepKind.BatchNorm, new[] { input }, output, new[] { sc, sh }, norm.Epsilon.Value, index);
                break;
            }
        }

        _summary.Add(new SummaryRow(output, LayerOpNames.Of(norm.Op), size, parameters, 0));
        _parameters += parameters;
        return output;
    }

    /// <summary>A vector of <paramref name="size"/>: the tensor itself, its one value repeated, or <paramref name="absent"/> repeated.</summary>
    internal static TensorSpec Spread(TensorSpec? tensor, int size, float absent)
    {
        if (tensor is not null && tensor.Shape[0] == size)
        {
            return tensor;
        }

        float value = tensor is null ? absent : tensor.Values[0];
        return new TensorSpec(new EquatableArray<int>(new[] { size }), new EquatableArray<float>(Enumerable.Repeat(value, size).ToArray()), tensor?.Range ?? SourceRange.None);
    }

    private string AddWeight(string name, TensorSpec tensor, string summary)
    {
        _weights.Add(new WeightPlan(name, tensor.Shape, tensor.Values, summary, tensor.External));
        return name;
    }

    private void AddTensor(string name, int size, string summary) => _tensors.Add(new TensorPlan(name, size, -1, summary));

    private void AddLinear(string input, string output, string weight, string bias, long multiplyAdds, string index, bool? gpu)
    {
        // Layer3_2 for layer 3.2; Layer3_2b, Layer3_2c for a swiglu's second and third product.
        int before = _steps.Count(s => s.Kind == StepKind.Linear && s.Layer == index);
        string method = "Layer" + index.Replace('.', '_') + (before == 0 ? string.Empty : ((char)('a' + before)).ToString());
        var strategy = Choose(_strategy, multiplyAdds, _weights.Any(w => (w.Name == weight || w.Name == bias) && w.External is not null), _intrinsics);
        _steps.Add(new StepPlan(
            StepKind.Linear,
            new EquatableArray<string>(new[] { input }),
            output,
            new EquatableArray<string>(new[] { weight, bias }),
            0,
            index,
            strategy,
            Method: strategy == LinearStrategy.Kernel ? string.Empty : method));
        _gpu.Add(gpu);
    }

    private void AddStep(StepKind kind, string[] inputs, string output, string[] weights, double scalar, string path) =>
        _steps.Add(new StepPlan(kind, new EquatableArray<string>(inputs), output, new EquatableArray<string>(weights), scalar, path));

    /// <summary>
    /// Where each step runs in a GPU session, or null when no linear step goes to the device.
    /// A linear step runs on the device when its layer says so (<c>"gpu": true</c>), or, unless its
    /// layer says <c>false</c>, when the network's rule picks it (<c>"all"</c>, or <c>"large"</c>
    /// with at least <c>gpu_min_weights</c> weights). Every other step runs where its input is
    /// (on the device if any input is there), so data crosses the bus only where a CPU layer
    /// meets a GPU one.
    /// </summary>
    /// <param name="steps">The steps.</param>
    /// <param name="layerGpu">Each linear step's own <c>gpu</c> key, in order (null: as the network says).</param>
    /// <param name="weights">The constants, for the steps' weight counts.</param>
    /// <param name="mode">The network's rule.</param>
    /// <param name="minWeights">The weights a layer needs under <see cref="GpuLayers.Large"/>.</param>
    private static bool[]? Placement(IReadOnlyList<StepPlan> steps, IReadOnlyList<bool?> layerGpu, IReadOnlyList<WeightPlan> weights, GpuLayers mode, long minWeights)
    {
        var counts = weights.ToDictionary(w => w.Name, w => w.Count);
        var onDevice = new HashSet<string>(StringComparer.Ordinal);
        var placement = new bool[steps.Count];
        int linear = 0;
        bool any = false;
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.Kind == StepKind.Linear)
            {
                bool? own = layerGpu[linear++];
                placement[i] = own ?? (mode == GpuLayers.All || (mode == GpuLayers.Large && counts[step.Weights[0]] >= minWeights));
                any |= placement[i];
            }
            else
            {
                placement[i] = step.Inputs.Any(onDevice.Contains);
            }

            if (placement[i])
            {
                onDevice.Add(step.Output);
            }
        }

        return any ? placement : null;
    }

    /// <summary>
    /// Settles every fusion, the one rule for all code paths: a linear step computes the
    /// activation that reads its output alone. In <c>Forward</c>, an unrolled layer's method fuses
    /// any activation with a one-value form, a vectorized one any with a kernel epilogue, and a
    /// kernel call none; both tensors are still written. In <c>ForwardBatch</c> and on the device,
    /// where no Cache observes the pre-activation, the kernel's epilogue (or the device's
    /// activation) applies it when nothing else reads the pre-activation and it is not the
    /// network's output.
    /// </summary>
    private static List<StepPlan> Fuse(List<StepPlan> steps, string networkOutput, bool gpuSession)
    {
        var readers = steps.SelectMany(s => s.Inputs).GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        for (int i = 0; i + 1 < steps.Count; i++)
        {
            var step = steps[i];
            var next = steps[i + 1];
            if (step.Kind != StepKind.Linear || next.Function is not { } function || next.Inputs.Count != 1 || next.Inputs[0] != step.Output)
            {
                continue;
            }

            var fusion = Fusion.None;
            if ((step.Strategy == LinearStrategy.Unrolled && function.HasScalar) || (step.Strategy == LinearStrategy.Vectorized && function.Epilogue is not null))
            {
                fusion |= Fusion.Forward;
            }

            bool alone = readers[step.Output] == 1 && step.Output != networkOutput;
            if (step.Strategy == LinearStrategy.Unrolled ? fusion.HasFlag(Fusion.Forward) : alone && function.Epilogue is not null)
            {
                // Unrolled layers run their Forward method per sample in ForwardBatch too.
                fusion |= Fusion.Batch;
            }

            if (gpuSession && alone && function.GpuActivation is not null)
            {
                fusion |= Fusion.Device;
            }

            steps[i] = step with { Fuses = fusion };
        }

        return steps;
    }

    /// <summary>
    /// How each constant is stored: a matrix a kernel, a vectorized loop or the GPU session reads is
    /// packed in panels; one only unrolled code reads is not stored at all (its values are literals).
    /// </summary>
    private static List<WeightPlan> Store(List<StepPlan> steps, List<WeightPlan> weights, bool gpuSession)
    {
        var packed = new HashSet<string>(steps
            .Where(s => s.Kind == StepKind.Linear && (s.Strategy != LinearStrategy.Unrolled || gpuSession))
            .Select(s => s.Weights[0]), StringComparer.Ordinal);
        var inlined = new HashSet<string>(steps
            .Where(s => s.Kind == StepKind.Linear && s.Strategy == LinearStrategy.Unrolled && !gpuSession)
            .SelectMany(s => s.Weights), StringComparer.Ordinal);
        return weights.Select(w => w with
        {
            Storage = packed.Contains(w.Name) ? WeightStorage.Packed : inlined.Contains(w.Name) ? WeightStorage.Inline : WeightStorage.Values,
        }).ToList();
    }

    /// <summary>
    /// Places every tensor but the network's output in one scratch array, first fit, reusing
    /// the memory of tensors no later step reads. A step's output never shares memory with
    /// its own inputs, because those are still live while it runs; a fused activation's output
    /// is written by the linear step before it, so that step's inputs stay live through it.
    /// The one exception: an identity layer's output takes its input's very slice when nothing
    /// reads the input afterwards, so that without a Cache its copy is no work at all.
    /// </summary>
    private static List<TensorPlan> LayOutScratch(List<StepPlan> steps, List<TensorPlan> tensors, string networkOutput, out int scratchLength)
    {
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int s = 0; s < steps.Count; s++)
        {
            foreach (string input in steps[s].Inputs)
            {
                lastUse[input] = s;
            }

            if (s > 0 && steps[s - 1].Fuses != Fusion.None)
            {
                foreach (string input in steps[s - 1].Inputs)
                {
                    lastUse[input] = s;
                }
            }
        }

        var sizes = tensors.ToDictionary(t => t.Name, t => t.Size, StringComparer.Ordinal);
        var offsets = new Dictionary<string, int>(StringComparer.Ordinal);
        var live = new List<(string Name, int Offset, int Size)>();
        scratchLength = 0;
        for (int s = 0; s < steps.Count; s++)
        {
            live.RemoveAll(t => !lastUse.TryGetValue(t.Name, out int last) || last < s);
            string output = steps[s].Output;
            if (output == networkOutput)
            {
                continue;
            }

            int size = sizes[output];
            if (steps[s].Function == Ops.Identity && offsets.TryGetValue(steps[s].Inputs[0], out int shared) && lastUse[steps[s].Inputs[0]] == s)
            {
                offsets[output] = shared;
                live.Add((output, shared, size));
                continue;
            }

            int offset = 0;
            foreach (var t in live.OrderBy(t => t.Offset))
            {
                if (t.Offset - offset >= size)
                {
                    break;
                }

                offset = Math.Max(offset, t.Offset + t.Size);
            }

            offsets[output] = offset;
            live.Add((output, offset, size));
            scratchLength = Math.Max(scratchLength, offset + size);
        }

        return tensors.Select(t => t with { ScratchOffset = offsets.TryGetValue(t.Name, out int o) ? o : -1 }).ToList();
    }
}
