using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// A trainable network's <c>Model</c> and <c>BatchCache</c>: the parameters in one buffer, the
/// forward steps over a batch (recording every tensor), the same steps in reverse for the
/// gradients, and the description written back out.
/// </summary>
/// <remarks>
/// Names in the methods: a tensor is a local named as the Cache names it (<c>Z1</c>, or its
/// layer's name), its gradient is <c>_d</c> and that name, and the methods' own locals start
/// with <c>_</c>: layer names start with a letter, so none can collide.
/// </remarks>
internal static partial class NetworkEmitter
{
    private const string Training = "global::NetGen.Training";

    private static void WriteTraining(SourceWriter w, NetworkPlan plan, TrainingPlan training, CancellationToken cancellationToken)
    {
        WriteModel(w, plan, training, cancellationToken);
        w.Line();
        WriteBatchCache(w, training);
        w.Line();
        WriteInitialValues(w, plan, training, cancellationToken);
    }

    private static void WriteModel(SourceWriter w, NetworkPlan plan, TrainingPlan training, CancellationToken cancellationToken)
    {
        var tensors = training.Tensors.ToDictionary(t => t.Name);
        var parameters = training.Parameters.ToDictionary(p => p.Name);
        var constants = training.Constants.ToDictionary(c => c.Name);
        string count = Literals.Int(plan.ParameterCount);

        w.Line("/// <summary>");
        w.Line("/// The network with its parameters in one mutable buffer, initialised from the description, and");
        w.Line("/// its backward pass: <c>ForwardBatch</c> records every tensor of a batch in a <see cref=\"BatchCache\"/>,");
        w.Line("/// <c>BackwardBatch</c> adds the parameters' gradients and writes the inputs'. Training uses each op's");
        w.Line("/// inference semantics (batch norm's running statistics, dropout as the identity), as PyTorch's");
        w.Line("/// <c>model.eval()</c> with gradients enabled.");
        w.Line("/// </summary>");
        w.Line("/// <remarks>A model is not thread-safe: one thread trains it at a time. Nothing allocates per call after construction, but <see cref=\"ToDescription\"/>.</remarks>");
        using (w.Block("public sealed class Model"))
        {
            w.Line("private static readonly string[] s_names = new string[]");
            w.Line("{");
            foreach (var parameter in training.Parameters)
            {
                w.Line($"    {Literals.String(parameter.Name)},");
            }

            w.Line("};");
            w.Line();
            w.Line("// Where each tensor starts in the buffer, and where the buffer ends.");
            w.Line($"private static readonly int[] s_offsets = new int[] {{ {string.Join(", ", training.Parameters.Select(p => Literals.Int(p.Offset)).Concat(new[] { count }))} }};");
            w.Line();
            w.Line("private static readonly global::System.Collections.Generic.IReadOnlyList<string> s_readOnlyNames = global::System.Array.AsReadOnly(s_names);");
            w.Line();
            var batchNorms = training.Steps.Where(st => st.Kind == StepKind.BatchNorm).ToList();
            if (batchNorms.Count > 0)
            {
                var constantsByName = training.Constants.ToDictionary(c => c.Name);
                w.Line("// 1/√(running_var + ε) of each batch norm, computed once: the running statistics do not train.");
                foreach (var step in batchNorms)
                {
                    w.Line($"private static readonly double[] {InverseStd(step, constantsByName)} = {Runtime}.Gradients.InverseStandardDeviations({Constant(step.Constants[1], constantsByName)}, {Literals.Double(step.Scalar)});");
                }

                w.Line();
            }

            w.Line($"private readonly float[] _parameters = new float[{count}];");
            w.Line($"private readonly float[] _gradients = new float[{count}];");
            w.Line();

            w.Line("/// <summary>A model whose parameters are the description's weights (a copy: the static API keeps its own).</summary>");
            using (w.Block("public Model()"))
            {
                foreach (var parameter in training.Parameters)
                {
                    w.Line($"TrainingInitial.{parameter.Field("P")}.CopyTo(global::System.MemoryExtensions.AsSpan(_parameters, {Literals.Int(parameter.Offset)}, {Literals.Int(parameter.Count)}));");
                }
            }

            w.Line();
            w.Line("/// <summary>Every learnable tensor, one after another in <see cref=\"ParameterNames\"/> order, each row-major.</summary>");
            w.Line($"public {Span} Parameters => _parameters;");
            w.Line();
            w.Line("/// <summary>dL/d(parameters), laid out as <see cref=\"Parameters\"/>: what <see cref=\"BackwardBatch\"/> adds to.</summary>");
            w.Line($"public {Span} Gradients => _gradients;");
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// The tensors' names, in buffer order: a layer's number (from 0; <c>3.1</c> inside the residual at 3),");
            w.Line("/// a dot, and its key in the description (<c>0.weight</c>, <c>0.bias</c>, <c>5.gate</c>).");
            w.Line("/// </summary>");
            w.Line("public global::System.Collections.Generic.IReadOnlyList<string> ParameterNames => s_readOnlyNames;");
            w.Line();
            w.Line("/// <summary>One tensor of <see cref=\"Parameters\"/>, row-major in the description's shape.</summary>");
            w.Line("/// <exception cref=\"global::System.ArgumentException\">No tensor has that name.</exception>");
            w.Line($"public {Span} Parameter(string name) => Slice(_parameters, name);");
            w.Line();
            w.Line("/// <summary>One tensor's gradient, laid out as <see cref=\"Parameter(string)\"/>.</summary>");
            w.Line("/// <exception cref=\"global::System.ArgumentException\">No tensor has that name.</exception>");
            w.Line($"public {Span} Gradient(string name) => Slice(_gradients, name);");
            w.Line();
            w.Line("/// <summary>Sets every gradient to 0.</summary>");
            w.Line("public void ZeroGradients() => global::System.Array.Clear(_gradients, 0, _gradients.Length);");
            w.Line();

            WriteTrainingForward(w, training, tensors, parameters, constants, cancellationToken);
            w.Line();
            WriteTrainingBackward(w, training, tensors, parameters, constants, cancellationToken);
            w.Line();
            WriteToDescription(w, plan, training, parameters, constants);
            w.Line();

            using (w.Block($"private static {Span} Slice(float[] buffer, string name)"))
            {
                using (w.Block("for (int i = 0; i < s_names.Length; i++)"))
                {
                    using (w.Block("if (s_names[i] == name)"))
                    {
                        w.Line("return global::System.MemoryExtensions.AsSpan(buffer, s_offsets[i], s_offsets[i + 1] - s_offsets[i]);");
                    }
                }

                w.Line();
                w.Line("throw new global::System.ArgumentException(\"Expected the name of a parameter tensor (\" + string.Join(\", \", s_names) + \"), but found \" + (name is null ? \"null\" : \"'\" + name + \"'\") + \".\", nameof(name));");
            }
        }
    }

    private static void WriteTrainingForward(
        SourceWriter w,
        TrainingPlan training,
        Dictionary<string, CachedTensor> tensors,
        Dictionary<string, TrainingTensor> parameters,
        Dictionary<string, TrainingTensor> constants,
        CancellationToken cancellationToken)
    {
        w.Line("/// <summary>");
        w.Line("/// The network on each row of <paramref name=\"inputs\"/> with the current parameters, writing");
        w.Line("/// <paramref name=\"outputs\"/> and recording in <paramref name=\"cache\"/> every tensor the backward pass needs.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"inputs\">Row-major <c>[rows, InputSize]</c>.</param>");
        w.Line("/// <param name=\"outputs\">Row-major <c>[rows, OutputSize]</c>.</param>");
        w.Line("/// <param name=\"cache\">Holds up to its <c>MaxRows</c> rows; <see cref=\"BackwardBatch\"/> reads it.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A length is not a whole number of rows, the two disagree, or there are more rows than the cache holds.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"cache\"/> is null.</exception>");
        using (w.Block($"public void ForwardBatch({ReadOnlySpan} inputs, {Span} outputs, BatchCache cache)"))
        {
            w.Line("int _rows = Begin(inputs.Length, outputs.Length, cache);");
            w.Line($"{ReadOnlySpan} _p = _parameters;");
            WriteTensorLocals(w, training, tensors, gradients: false);
            w.Line("inputs.CopyTo(input);");
            foreach (var step in training.Steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                w.Line();
                foreach (string comment in TrainingMath(step, tensors, backward: false))
                {
                    w.Line("// " + comment);
                }

                string x = Literals.Identifier(step.Inputs[0]);
                string y = Literals.Identifier(step.Output);
                int n = tensors[step.Inputs[0]].Size, m = tensors[step.Output].Size;
                switch (step.Kind)
                {
                    case StepKind.Linear:
                    {
                        var weight = parameters[step.Parameters[0]];
                        w.Line($"{Runtime}.Gradients.LinearForward({x}, {Slice("_p", weight)}, {OptionalSlice("_p", step.Parameters[1], parameters)}, {y}, _rows, {Literals.Int(n)}, {Literals.Int(m)}, cache.Scratch.Slice(0, {Literals.Int(n + m)} * _rows));");
                        break;
                    }

                    case StepKind.Activation when step.Function!.Elementwise:
                        w.Line(step.Function.Span(x, y, Arguments(step)) + ";");
                        break;
                    case StepKind.Activation:
                        using (w.Block("for (int _r = 0; _r < _rows; _r++)"))
                        {
                            w.Line(step.Function!.Span(Row(x, n), Row(y, n), Arguments(step)) + ";");
                        }

                        break;
                    case StepKind.LayerNorm:
                        w.Line($"{Runtime}.Gradients.LayerNormForward({x}, {y}, {OptionalSlice("_p", step.Parameters[0], parameters)}, {OptionalSlice("_p", step.Parameters[1], parameters)}, {Literals.Double(step.Scalar)}, {Statistics(step, 2)}, {Literals.Int(n)});");
                        break;
                    case StepKind.RmsNorm:
                        w.Line($"{Runtime}.Gradients.RmsNormForward({x}, {y}, {OptionalSlice("_p", step.Parameters[0], parameters)}, {Literals.Double(step.Scalar)}, {Statistics(step, 1)}, {Literals.Int(n)});");
                        break;
                    case StepKind.Slice:
                        w.Line($"{Runtime}.Elementwise.SliceRows({x}, {y}, {Literals.Int(n)}, {Literals.Int((long)step.Arguments[0])}, {Literals.Int(m)});");
                        break;
                    case StepKind.Affine:
                        using (w.Block("for (int _r = 0; _r < _rows; _r++)"))
                        {
                            w.Line($"{Runtime}.Normalization.BatchNorm({Row(x, n)}, {Row(y, n)}, {Constant(step.Constants[0], constants)}, {Constant(step.Constants[1], constants)});");
                        }

                        break;
                    case StepKind.Mask:
                        w.Line($"{Runtime}.Elementwise.MaskRows({x}, {Literals.Identifier(step.Inputs[1])}, {y}, {Literals.Int(n)}, {Literals.Int(tensors[step.Inputs[1]].Size)}, {Literals.Int((long)step.Arguments[0])}, {Literals.Float(step.Arguments[1])});");
                        break;
                    case StepKind.ArgMax:
                    {
                        int g = 0;
                        foreach (var (start, size) in StepMath.Groups(step.Arguments))
                        {
                            w.Line($"{Runtime}.Elementwise.ArgMaxRows({x}, {y}, {Literals.Int(n)}, {Literals.Int(start)}, {Literals.Int(size)}, {Literals.Int(m)}, {Literals.Int(g++)}{(step.Scalar != 0 ? ", last: true" : string.Empty)});");
                        }

                        break;
                    }

                    case StepKind.BatchNorm:
                        w.Line($"{Runtime}.Gradients.BatchNormForward({x}, {y}, {OptionalSlice("_p", step.Parameters[0], parameters)}, {OptionalSlice("_p", step.Parameters[1], parameters)}, {Constant(step.Constants[0], constants)}, {InverseStd(step, constants)});");
                        break;
                    case StepKind.Add:
                        w.Line($"{Runtime}.Elementwise.Add({x}, {Literals.Identifier(step.Inputs[1])}, {y});");
                        break;
                    default:
                        w.Line($"{Runtime}.Elementwise.SwiGluGate({x}, {Literals.Identifier(step.Inputs[1])}, {y});");
                        break;
                }
            }

            w.Line();
            w.Line($"{Literals.Identifier(training.Steps[training.Steps.Count - 1].Output)}.CopyTo(outputs);");
            w.Line("cache.Filled(this, _rows);");
        }

        w.Line();
        using (w.Block("private static int Begin(int inputs, int outputs, BatchCache cache)"))
        {
            using (w.Block("if (cache is null)"))
            {
                w.Line("throw new global::System.ArgumentNullException(nameof(cache));");
            }

            w.Line();
            w.Line($"int rows = {Runtime}.Guard.BatchRows(inputs, outputs, InputSize, OutputSize, \"inputs\", \"outputs\");");
            using (w.Block("if (rows > cache.MaxRows)"))
            {
                w.Line("throw new global::System.ArgumentException(\"Expected at most \" + cache.MaxRows + \" rows, the cache's maxRows, but inputs has \" + rows + \".\", \"inputs\");");
            }

            w.Line();
            w.Line("// Until this pass completes, the cache holds no model's batch.");
            w.Line("cache.Filled(null, 0);");
            w.Line("return rows;");
        }
    }

    private static void WriteTrainingBackward(
        SourceWriter w,
        TrainingPlan training,
        Dictionary<string, CachedTensor> tensors,
        Dictionary<string, TrainingTensor> parameters,
        Dictionary<string, TrainingTensor> constants,
        CancellationToken cancellationToken)
    {
        string output = training.Steps[training.Steps.Count - 1].Output;
        w.Line("/// <summary>");
        w.Line("/// The backward pass of the rows the last <see cref=\"ForwardBatch\"/> recorded in <paramref name=\"cache\"/>:");
        w.Line("/// <b>adds</b> dL/d(parameters) to <see cref=\"Gradients\"/> and writes dL/d(inputs).");
        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line("/// It reads the parameters as they are now: call it before an optimizer changes them. A NaN or an");
        w.Line("/// infinity in <paramref name=\"outputGradients\"/> reaches the gradients it touches, as it does in PyTorch.");
        w.Line("/// </remarks>");
        w.Line("/// <param name=\"cache\">The cache this model's last <see cref=\"ForwardBatch\"/> filled.</param>");
        w.Line("/// <param name=\"outputGradients\">dL/d(outputs), row-major <c>[rows, OutputSize]</c>.</param>");
        w.Line("/// <param name=\"inputGradients\">dL/d(inputs), row-major <c>[rows, InputSize]</c>; an empty span skips it.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The cache was not filled by this model, or a length disagrees with its rows.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"cache\"/> is null.</exception>");
        using (w.Block($"public void BackwardBatch(BatchCache cache, {ReadOnlySpan} outputGradients, {Span} inputGradients)"))
        {
            using (w.Block("if (cache is null)"))
            {
                w.Line("throw new global::System.ArgumentNullException(nameof(cache));");
            }

            w.Line();
            using (w.Block("if (!cache.IsFilledBy(this))"))
            {
                w.Line("throw new global::System.ArgumentException(\"Expected a cache that this model's last ForwardBatch filled, but \" + (cache.Rows == 0 ? \"it holds no batch.\" : \"another model filled it.\"), nameof(cache));");
            }

            w.Line();
            w.Line("int _rows = cache.Rows;");
            w.Line($"{Runtime}.Guard.Length(outputGradients.Length, _rows * OutputSize, nameof(outputGradients));");
            using (w.Block("if (!inputGradients.IsEmpty)"))
            {
                w.Line($"{Runtime}.Guard.Length(inputGradients.Length, _rows * InputSize, nameof(inputGradients));");
            }

            w.Line();
            w.Line($"{ReadOnlySpan} _p = _parameters;");
            w.Line($"{Span} _g = _gradients;");
            WriteTensorLocals(w, training, tensors, gradients: true);
            w.Line($"{ReadOnlySpan} {Gradient(output)} = outputGradients;");
            w.Line($"{Span} {Gradient(TrainingPlan.Input)} = inputGradients;");
            for (int s = training.Steps.Count - 1; s >= 0; s--)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var step = training.Steps[s];
                w.Line();
                foreach (string comment in TrainingMath(step, tensors, backward: true))
                {
                    w.Line("// " + comment);
                }

                string x = Literals.Identifier(step.Inputs[0]);
                string y = Literals.Identifier(step.Output);
                string dy = Gradient(step.Output);
                string dx = Gradient(step.Inputs[0]);
                string accumulate = Bool(step.Accumulate[0]);
                int n = tensors[step.Inputs[0]].Size, m = tensors[step.Output].Size;
                bool fromInput = step.Inputs[0] == TrainingPlan.Input;
                switch (step.Kind)
                {
                    case StepKind.Linear:
                    {
                        var weight = parameters[step.Parameters[0]];
                        w.Line($"{Runtime}.Gradients.Linear({x}, {Slice("_p", weight)}, {dy}, {Slice("_g", weight)}, {OptionalSlice("_g", step.Parameters[1], parameters)}, {dx}, _rows, {Literals.Int(n)}, {Literals.Int(m)}, {accumulate});");
                        break;
                    }

                    case StepKind.Activation:
                    {
                        string call = step.Function!.Gradient(new GradientCall(x, y, dy, dx, Literals.Int(n), Arguments(step), accumulate)) + ";";
                        WriteUnlessSkipped(w, fromInput, call);
                        break;
                    }

                    case StepKind.LayerNorm:
                        w.Line($"{Runtime}.Gradients.LayerNorm({x}, {dy}, {OptionalSlice("_p", step.Parameters[0], parameters)}, {Statistics(step, 2)}, {OptionalSlice("_g", step.Parameters[0], parameters)}, {OptionalSlice("_g", step.Parameters[1], parameters)}, {dx}, {Literals.Int(n)}, {accumulate});");
                        break;
                    case StepKind.RmsNorm:
                        w.Line($"{Runtime}.Gradients.RmsNorm({x}, {dy}, {OptionalSlice("_p", step.Parameters[0], parameters)}, {Statistics(step, 1)}, {OptionalSlice("_g", step.Parameters[0], parameters)}, {dx}, {Literals.Int(n)}, {accumulate});");
                        break;
                    case StepKind.Slice:
                        WriteUnlessSkipped(w, fromInput, $"{Runtime}.Gradients.Slice({dy}, {dx}, {Literals.Int(n)}, {Literals.Int((long)step.Arguments[0])}, {accumulate});");
                        break;
                    case StepKind.Affine:
                        WriteUnlessSkipped(w, fromInput, $"{Runtime}.Gradients.Affine({dy}, {Constant(step.Constants[0], constants)}, {dx}, {accumulate});");
                        break;
                    case StepKind.Mask:
                        w.Line($"{Runtime}.Gradients.Mask({x}, {Literals.Identifier(step.Inputs[1])}, {dy}, {dx}, {Gradient(step.Inputs[1])}, {Literals.Int(n)}, {Literals.Int((long)step.Arguments[0])}, {Literals.Float(step.Arguments[1])}, {accumulate}, {Bool(step.Accumulate[1])});");
                        break;
                    case StepKind.ArgMax:
                        if (!step.Accumulate[0])
                        {
                            WriteUnlessSkipped(w, fromInput, $"{dx}.Clear();");
                        }

                        break;
                    case StepKind.BatchNorm:
                        w.Line($"{Runtime}.Gradients.BatchNorm({x}, {dy}, {OptionalSlice("_p", step.Parameters[0], parameters)}, {Constant(step.Constants[0], constants)}, {InverseStd(step, constants)}, {OptionalSlice("_g", step.Parameters[0], parameters)}, {OptionalSlice("_g", step.Parameters[1], parameters)}, {dx}, {accumulate});");
                        break;
                    case StepKind.Add:
                        WriteUnlessSkipped(w, fromInput, $"{Runtime}.Gradients.Identity({dy}, {dx}, {accumulate});");
                        w.Line($"{Runtime}.Gradients.Identity({dy}, {Gradient(step.Inputs[1])}, {Bool(step.Accumulate[1])});");
                        break;
                    default:
                        w.Line($"{Runtime}.Gradients.SwiGluGate({x}, {Literals.Identifier(step.Inputs[1])}, {dy}, {dx}, {Gradient(step.Inputs[1])});");
                        break;
                }
            }
        }
    }

    private static void WriteUnlessSkipped(SourceWriter w, bool fromInput, string call)
    {
        if (!fromInput)
        {
            w.Line(call);
            return;
        }

        using (w.Block($"if (!{Gradient(TrainingPlan.Input)}.IsEmpty)"))
        {
            w.Line(call);
        }
    }

    /// <summary>Every tensor of the cache as a local over the batch's rows (and, for the backward pass, its gradient).</summary>
    private static void WriteTensorLocals(SourceWriter w, TrainingPlan training, Dictionary<string, CachedTensor> tensors, bool gradients)
    {
        string output = training.Steps[training.Steps.Count - 1].Output;
        w.Line($"{Span} _v = cache.Values;");
        if (gradients)
        {
            w.Line($"{Span} _d = cache.Gradients;");
        }

        w.Line("int _m = cache.MaxRows;");
        foreach (var t in training.Tensors)
        {
            string type = gradients && t.Name == TrainingPlan.Input ? ReadOnlySpan : Span;
            w.Line($"{type} {Literals.Identifier(t.Name)} = _v.Slice({Literals.Int(t.Offset)} * _m, {Literals.Int(t.Size)} * _rows);");
        }

        if (!gradients)
        {
            return;
        }

        foreach (var t in training.Tensors.Where(t => t.Name != TrainingPlan.Input && t.Name != output))
        {
            w.Line($"{Span} {Gradient(t.Name)} = _d.Slice({Literals.Int(t.Offset)} * _m, {Literals.Int(t.Size)} * _rows);");
        }
    }

    private static void WriteToDescription(SourceWriter w, NetworkPlan plan, TrainingPlan training, Dictionary<string, TrainingTensor> parameters, Dictionary<string, TrainingTensor> constants)
    {
        w.Line("/// <summary>");
        w.Line("/// The network as a netgen/1 description with the current parameters (batch norm's running statistics as");
        w.Line("/// they were): it compiles back into a fixed network, so a model trained here can be frozen into code.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"description\">The description's free text; null keeps the original's.</param>");
        using (w.Block("public string ToDescription(string? description = null)"))
        {
            string description = plan.Description is null ? "null" : Literals.String(plan.Description);
            w.Line($"var _w = new {Runtime}.DescriptionWriter(InputSize, description ?? {description});");
            w.Line($"{ReadOnlySpan} _p = _parameters;");
            foreach (var part in training.Description)
            {
                string key = Literals.String(part.Key);
                w.Line(part.Kind switch
                {
                    DescriptionPartKind.BeginLayer => $"_w.BeginLayer({Literals.String(part.Text)});",
                    DescriptionPartKind.EndLayer => "_w.EndLayer();",
                    DescriptionPartKind.BeginLayers => $"_w.BeginLayers({key});",
                    DescriptionPartKind.EndLayers => "_w.EndLayers();",
                    DescriptionPartKind.Text => $"_w.Value({key}, {Literals.String(part.Text)});",
                    DescriptionPartKind.Integer => $"_w.Value({key}, {Literals.Int((long)part.Number)});",
                    DescriptionPartKind.Integers => $"_w.Integers({key}, {part.Text});",
                    DescriptionPartKind.Boolean => $"_w.Value({key}, {part.Text});",
                    DescriptionPartKind.Number => $"_w.Value({key}, {Literals.Double(part.Number)});",
                    DescriptionPartKind.Single => $"_w.Value({key}, {Literals.Float((float)part.Number)});",
                    DescriptionPartKind.Parameter => $"_w.Tensor({key}, {Slice("_p", parameters[part.Text])}, {Literals.Int(part.Rows)}, {Literals.Int(part.Columns)});",
                    _ => $"_w.Tensor({key}, {Constant(part.Text, constants)}, {Literals.Int(part.Rows)}, 0);",
                });
            }

            foreach (var part in plan.Inputs)
            {
                w.Line($"_w.InputPart({Literals.String(part.Name)}, {Literals.Int(part.Size)});");
            }

            foreach (var constant in plan.Constants)
            {
                string member = Checking.TensorNames.Member(constant.Name);
                w.Line($"_w.Constant({Literals.String(constant.Name)}, {(constant.Values.Count == 1 ? $"new float[] {{ {member} }}" : member)});");
            }

            w.Line("return _w.ToString();");
        }
    }

    private static void WriteBatchCache(SourceWriter w, TrainingPlan training)
    {
        w.Line("/// <summary>");
        w.Line("/// Every tensor of up to <see cref=\"MaxRows\"/> rows that <see cref=\"Model.ForwardBatch\"/> records and");
        w.Line("/// <see cref=\"Model.BackwardBatch\"/> reads, with room for their gradients: allocated once, reused by every batch.");
        w.Line("/// </summary>");
        using (w.Block("public sealed class BatchCache"))
        {
            w.Line($"// Floats of one row: the input, then each tensor ({Literals.Int(training.FloatsPerRow)} values, and as many gradients); doubles of a row's");
            w.Line("// norm statistics; floats of scratch for the linear layers' forward pass (an input and output, transposed).");
            w.Line($"private const int FloatsPerRow = {Literals.Int(training.FloatsPerRow)};");
            w.Line($"private const int StatisticsPerRow = {Literals.Int(training.StatisticsPerRow)};");
            w.Line($"private const int ScratchPerRow = {Literals.Int(training.ScratchPerRow)};");
            w.Line();
            w.Line("private readonly float[] _values;");
            w.Line("private readonly float[] _gradients;");
            w.Line("private readonly double[] _statistics;");
            w.Line("private readonly float[] _scratch;");
            w.Line("private Model? _filledBy;");
            w.Line();
            w.Line("/// <summary>A cache for batches of up to <paramref name=\"maxRows\"/> rows.</summary>");
            w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"maxRows\"/> is below 1, or the cache would exceed an array's size.</exception>");
            using (w.Block("public BatchCache(int maxRows)"))
            {
                using (w.Block("if (maxRows < 1 || maxRows > int.MaxValue / global::System.Math.Max(1, global::System.Math.Max(FloatsPerRow, ScratchPerRow)))"))
                {
                    w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(maxRows), maxRows, \"Expected at least 1 row, and at most \" + (int.MaxValue / global::System.Math.Max(1, global::System.Math.Max(FloatsPerRow, ScratchPerRow))) + \".\");");
                }

                w.Line();
                w.Line("MaxRows = maxRows;");
                w.Line("_values = new float[maxRows * FloatsPerRow];");
                w.Line("_gradients = new float[maxRows * FloatsPerRow];");
                w.Line("_statistics = new double[maxRows * StatisticsPerRow];");
                w.Line("_scratch = new float[maxRows * ScratchPerRow];");
            }

            w.Line();
            w.Line("/// <summary>The most rows one batch may have.</summary>");
            w.Line("public int MaxRows { get; }");
            w.Line();
            w.Line("/// <summary>The rows of the batch recorded last (0 before the first).</summary>");
            w.Line("public int Rows { get; private set; }");
            w.Line();
            w.Line($"internal {Span} Values => _values;");
            w.Line();
            w.Line($"internal {Span} Gradients => _gradients;");
            w.Line();
            w.Line("internal global::System.Span<double> Statistics => _statistics;");
            w.Line();
            w.Line($"internal {Span} Scratch => _scratch;");
            w.Line();
            w.Line("internal bool IsFilledBy(Model model) => _filledBy == model && Rows > 0;");
            w.Line();
            using (w.Block("internal void Filled(Model? model, int rows)"))
            {
                w.Line("_filledBy = model;");
                w.Line("Rows = rows;");
            }
        }
    }

    /// <summary>The parameters' initial values and the constants, as the static weights are stored (in C# 9, arrays).</summary>
    private static void WriteInitialValues(SourceWriter w, NetworkPlan plan, TrainingPlan training, CancellationToken cancellationToken)
    {
        w.Line("// The trainable model's initial parameters (the description's weights, row-major) and its constants.");
        using (w.Block("private static class TrainingInitial"))
        {
            bool first = true;
            foreach (var (tensor, field) in training.Parameters.Select(p => (p, p.Field("P"))).Concat(training.Constants.Select(c => (c, c.Field("C")))))
            {
                if (!first)
                {
                    w.Line();
                }

                first = false;
                string shape = string.Join(" × ", tensor.Shape.Select(d => Literals.Int(d)));
                if (tensor.External is { } file)
                {
                    w.Line($"private static readonly {Runtime}.EmbeddedTensor s_{field} = new {Runtime}.EmbeddedTensor(typeof(TrainingInitial).Assembly, {Literals.String(file.ResourceName)}, {Literals.Int(file.Offset)}, {Literals.Int(tensor.Count)});");
                    w.Line();
                    w.Line($"/// <summary>{Literals.Xml(tensor.Name)}: {shape}, read in place from {Literals.Xml(file.File)} (byte {Literals.Int(file.Offset)} on).</summary>");
                    w.Line($"internal static {ReadOnlySpan} {field} => s_{field}.Values;");
                    continue;
                }

                w.Line($"/// <summary>{Literals.Xml(tensor.Name)}: {shape}.</summary>");
                WriteArray(w, plan, field, tensor.Values, tensor.Shape.Count == 2 ? tensor.Shape[1] : tensor.Values.Count, cancellationToken);
            }
        }
    }

    /// <summary>The math of a step, forward or backward, for the comment above its call.</summary>
    private static IEnumerable<string> TrainingMath(TrainingStep step, Dictionary<string, CachedTensor> tensors, bool backward)
    {
        string x = step.Inputs[0], y = step.Output;
        string n = Literals.Int(tensors[x].Size), m = Literals.Int(tensors[y].Size);
        string weight = step.Parameters.Count > 0 ? step.Parameters[0] : string.Empty;
        string bias = step.Parameters.Count > 1 ? step.Parameters[1] : string.Empty;
        yield return $"layer {step.Layer}: " + step.Kind switch
        {
            StepKind.Linear => $"linear {n} → {m}",
            StepKind.Activation => step.Function!.Name + ", " + m,
            StepKind.Add => $"residual, {m}",
            StepKind.SwiGluGate => $"swiglu gating, {m}",
            StepKind.LayerNorm => "layer_norm, " + m,
            StepKind.RmsNorm => "rms_norm, " + m,
            StepKind.Affine => "affine, " + m,
            StepKind.Slice => $"slice, {n} → {m}",
            StepKind.Mask => "mask, " + m,
            StepKind.ArgMax => $"argmax, {n} → {m}",
            _ => "batch_norm, " + m,
        };

        if (!backward)
        {
            yield return "  " + step.Kind switch
            {
                StepKind.Linear => $"{y} = {x} · W{Apostrophe}" + (bias.Length > 0 ? " + b" : string.Empty) + $",  W = {weight}" + (bias.Length > 0 ? $", b = {bias}" : string.Empty),
                StepKind.Activation => $"{y} = " + step.Function!.Definition(x, step.Arguments.Select(a => Literals.Number(a)).ToArray()),
                StepKind.LayerNorm => $"{y} = ({x} − μ) σ⁻¹" + Affine(weight, bias) + ",  μ, σ⁻¹ = 1/√(var + ε) of each row recorded",
                StepKind.RmsNorm => $"{y} = {x} ρ" + Affine(weight, string.Empty) + ",  ρ = 1/√(mean(x²) + ε) of each row recorded",
                StepKind.BatchNorm => $"{y} = ({x} − {step.Constants[0]}) σ⁻¹" + Affine(weight, bias) + $",  σ⁻¹ = 1/√({step.Constants[1]} + ε), computed once",
                StepKind.Affine => $"{y} = {x} ⊙ {step.Constants[0]} + {step.Constants[1]}",
                StepKind.Slice => $"{y} = {x}[{Literals.Int((long)step.Arguments[0])} : {Literals.Int((long)step.Arguments[0] + tensors[y].Size)}]",
                StepKind.Mask => StepMath.Mask(x, y, step.Inputs[1], (long)step.Arguments[0], tensors[y].Size, step.Arguments[1]),
                StepKind.ArgMax => StepMath.ArgMax(step.Arguments, step.Scalar != 0, x, y),
                StepKind.Add => $"{y} = {x} + {step.Inputs[1]}",
                _ => $"{y} = silu({x}) ⊙ {step.Inputs[1]}",
            };
            yield break;
        }

        string dx = "d" + x, dy = "d" + y, op = step.Accumulate.Count > 0 && step.Accumulate[0] ? "+=" : "=";
        yield return "  " + step.Kind switch
        {
            StepKind.Linear => $"dW += {dy}ᵀ · {x}" + (bias.Length > 0 ? $",  db += Σ {dy}" : string.Empty) + $",  {dx} {op} {dy} · W,  W = {weight}",
            StepKind.Activation => step.Function!.DerivativeOf(x, y, dx, dy, step.Accumulate[0]),
            StepKind.LayerNorm => $"{dx} {op} σ⁻¹ (g − mean(g) − x̂ mean(g ⊙ x̂)),  g = {dy}" + (weight.Length > 0 ? " ⊙ γ" : string.Empty) + ",  x̂ = (x − μ) σ⁻¹" + (weight.Length > 0 ? ",  dγ += Σ dy ⊙ x̂" : string.Empty) + (bias.Length > 0 ? ",  dβ += Σ dy" : string.Empty),
            StepKind.RmsNorm => $"{dx} {op} ρ (g − x̂ mean(g ⊙ x̂)),  g = {dy}" + (weight.Length > 0 ? " ⊙ γ" : string.Empty) + ",  x̂ = x ρ" + (weight.Length > 0 ? ",  dγ += Σ dy ⊙ x̂" : string.Empty),
            StepKind.BatchNorm => $"{dx} {op} {dy}" + (weight.Length > 0 ? " ⊙ γ" : string.Empty) + " σ⁻¹" + (weight.Length > 0 ? ",  dγ += Σ dy ⊙ x̂" : string.Empty) + (bias.Length > 0 ? ",  dβ += Σ dy" : string.Empty),
            StepKind.Affine => $"{dx} {op} {dy} ⊙ {step.Constants[0]}",
            StepKind.Slice => $"{dx} {op} {dy} at [{Literals.Int((long)step.Arguments[0])} : {Literals.Int((long)step.Arguments[0] + tensors[y].Size)}], 0 elsewhere",
            StepKind.Mask => $"{dx} {op} {dy} ⊙ m,  d{step.Inputs[1]} {(step.Accumulate[1] ? "+=" : "=")} {dy} ⊙ ({x} − {Literals.Number(step.Arguments[1])}) at [{Literals.Int((long)step.Arguments[0])} : {Literals.Int((long)step.Arguments[0] + tensors[y].Size)}], 0 elsewhere",
            StepKind.ArgMax => $"{dx} {op} 0 (an argmax is constant between its jumps: no gradient passes)",
            StepKind.Add => $"{dx} {op} {dy},  d{step.Inputs[1]} {(step.Accumulate[1] ? "+=" : "=")} {dy}",
            _ => $"{dx} = {dy} ⊙ {step.Inputs[1]} ⊙ silu′({x}),  d{step.Inputs[1]} = {dy} ⊙ silu({x})",
        };
    }

    private const string Apostrophe = "ᵀ";

    private static string Affine(string weight, string bias) =>
        (weight.Length > 0 ? " ⊙ γ" : string.Empty) + (bias.Length > 0 ? " + β" : string.Empty) + (weight.Length > 0 ? $",  γ = {weight}" : string.Empty) + (bias.Length > 0 ? $", β = {bias}" : string.Empty);

    private static string Gradient(string tensor) => "_d" + tensor;

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Row(string tensor, int size) => $"{tensor}.Slice(_r * {Literals.Int(size)}, {Literals.Int(size)})";

    private static string[] Arguments(TrainingStep step) => step.Arguments.Select(Literals.Float).ToArray();

    private static string Slice(string buffer, TrainingTensor tensor) => $"{buffer}.Slice({Literals.Int(tensor.Offset)}, {Literals.Int(tensor.Count)})";

    private static string OptionalSlice(string buffer, string name, Dictionary<string, TrainingTensor> parameters) =>
        name.Length == 0 ? "default" : Slice(buffer, parameters[name]);

    private static string Constant(string name, Dictionary<string, TrainingTensor> constants) => "TrainingInitial." + constants[name].Field("C");

    /// <summary>The field holding a batch norm step's <c>1/√(running_var + ε)</c> (<c>s_inverseStd3</c> for layer 3's).</summary>
    private static string InverseStd(TrainingStep step, Dictionary<string, TrainingTensor> constants)
    {
        string name = constants[step.Constants[1]].Name;
        return "s_inverseStd" + name.Substring(0, name.LastIndexOf('.')).Replace('.', '_');
    }

    private static string Statistics(TrainingStep step, int perRow) =>
        $"cache.Statistics.Slice({Literals.Int(step.StatisticsOffset)} * _m, {Literals.Int(perRow)} * _rows)";
}
