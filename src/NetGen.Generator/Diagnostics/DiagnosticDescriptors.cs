using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic NetGen reports. Ids are stable: a released id is never reused for
/// another meaning. Messages say what was expected and what was found.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "NetGen";

    /// <summary>NG0001: the file is not well-formed JSON.</summary>
    public static readonly DiagnosticDescriptor MalformedJson = Error(
        "NG0001",
        "Malformed JSON",
        "Malformed JSON: expected {0}, found {1}",
        "The description must be a well-formed JSON document (RFC 8259).");

    /// <summary>NG0002: the format key is not netgen/1.</summary>
    public static readonly DiagnosticDescriptor UnsupportedFormat = Error(
        "NG0002",
        "Unsupported description format",
        "Expected \"format\": \"netgen/1\", found {0}",
        "A description starts with \"format\": \"netgen/1\"; no other format version exists.");

    /// <summary>NG0003: an object has a key its kind does not know.</summary>
    public static readonly DiagnosticDescriptor UnknownKey = Error(
        "NG0003",
        "Unknown key",
        "Unknown key \"{0}\" in {1}; expected one of: {2}",
        "Keys an object does not know are an error, not silently ignored: a typo would otherwise change the network.");

    /// <summary>NG0004: a required key is absent.</summary>
    public static readonly DiagnosticDescriptor MissingKey = Error(
        "NG0004",
        "Missing key",
        "Missing key \"{0}\" in {1}",
        "The object lacks a key that its kind requires.");

    /// <summary>NG0005: a value has the wrong JSON type.</summary>
    public static readonly DiagnosticDescriptor WrongType = Error(
        "NG0005",
        "Wrong type",
        "Expected {0} for {1}, found {2}",
        "The value has the wrong JSON type for its key.");

    /// <summary>NG0006: an op name the format does not define.</summary>
    public static readonly DiagnosticDescriptor UnknownOp = Error(
        "NG0006",
        "Unknown op",
        "Unknown op \"{0}\"; expected one of: {1}",
        "Every layer names one of the ops the netgen/1 format defines.");

    /// <summary>NG0007: a layer's size disagrees with the size it receives or must produce.</summary>
    public static readonly DiagnosticDescriptor SizeMismatch = Error(
        "NG0007",
        "Size mismatch",
        "{0}: expected {1}, found {2}",
        "A layer's shapes must agree with the output size of the layer before it.");

    /// <summary>NG0008: a tensor has the wrong shape or number of elements.</summary>
    public static readonly DiagnosticDescriptor WrongShape = Error(
        "NG0008",
        "Wrong tensor shape",
        "{0}: expected {1}, found {2}",
        "A tensor must have exactly the shape its layer requires; a matrix is never given flat.");

    /// <summary>NG0009: NaN, an infinity, or a number that rounds to an infinity in float32.</summary>
    public static readonly DiagnosticDescriptor NonFiniteValue = Error(
        "NG0009",
        "Non-finite value",
        "{0}: expected a finite float32 value, found {1}",
        "Every number must be finite once rounded to float32 (the largest is about 3.4028235e38).");

    /// <summary>NG0010: a layer name that is not an identifier of letters, digits and '_'.</summary>
    public static readonly DiagnosticDescriptor InvalidName = Error(
        "NG0010",
        "Invalid layer name",
        "Invalid name \"{0}\": expected letters, digits and '_', starting with a letter{1}",
        "A layer's name becomes a field of the generated Cache struct.");

    /// <summary>NG0011: two layers, or a layer and a derived cache field, share a name.</summary>
    public static readonly DiagnosticDescriptor DuplicateName = Error(
        "NG0011",
        "Duplicate name",
        "The cache field \"{0}\" is defined twice: names must be unique in the whole network, nested layers included",
        "Every name, and every cache field derived from one, must be unique in the network.");

    /// <summary>NG0012: a value is of the right type but out of range.</summary>
    public static readonly DiagnosticDescriptor InvalidValue = Error(
        "NG0012",
        "Invalid value",
        "{0}: expected {1}, found {2}",
        "The value is of the right type but outside the range its key allows.");

    /// <summary>NG0013: an external weight file is missing or too short.</summary>
    public static readonly DiagnosticDescriptor WeightFileUnavailable = Error(
        "NG0013",
        "Weight file unavailable",
        "Weight file \"{0}\": expected {1}, found {2}",
        "A tensor with a \"file\" names raw float32 data beside the description; the project lists the file as a NetGenWeights item, which the build measures and embeds.");

    /// <summary>NG0014: an object has the same key twice.</summary>
    public static readonly DiagnosticDescriptor DuplicateKey = Error(
        "NG0014",
        "Duplicate key",
        "Key \"{0}\" appears more than once in {1}",
        "Each key may appear once per object; JSON readers disagree on which duplicate wins.");

    /// <summary>NG0015: an input part or a constant gives the generated class a member it already has.</summary>
    public static readonly DiagnosticDescriptor DuplicateMember = Error(
        "NG0015",
        "Duplicate member",
        "The member \"{0}\" is defined twice: an input part's {{Name}}Offset and {{Name}}Size and a constant's {{Name}} must be unique",
        "Input parts and constants become members of the generated class, named in PascalCase.");

    /// <summary>NG0101: the [Network] path names no AdditionalFiles item.</summary>
    public static readonly DiagnosticDescriptor DescriptionNotFound = Error(
        "NG0101",
        "Network description not found",
        "No AdditionalFiles item matches \"{0}\"; expected one *.netgen.json item whose path ends with it{1}",
        "[Network(path)] binds the AdditionalFiles item whose full path ends with path at a folder boundary.");

    /// <summary>NG0102: the [Network] path names several AdditionalFiles items.</summary>
    public static readonly DiagnosticDescriptor AmbiguousDescription = Error(
        "NG0102",
        "Ambiguous network description",
        "\"{0}\" matches {1} AdditionalFiles items ({2}); expected exactly one: give more of the path",
        "[Network(path)] must match exactly one AdditionalFiles item.");

    /// <summary>NG0103: the attributed type is not a static partial class.</summary>
    public static readonly DiagnosticDescriptor NotStaticPartialClass = Error(
        "NG0103",
        "Network class must be static and partial",
        "'{0}' must be a static partial class (and so must every type containing it) to receive a generated network; found {1}",
        "NetGen adds members to the class, so it must be partial; a network is a pure function, so the class is static.");

    /// <summary>NG0104: the [Network] argument is not a usable path.</summary>
    public static readonly DiagnosticDescriptor InvalidNetworkPath = Error(
        "NG0104",
        "Invalid network path",
        "Expected a relative path to a *.netgen.json file, found {0}",
        "[Network(path)] takes the path of an AdditionalFiles item, relative to the project.");

    /// <summary>NG0105: layer attributes on more than one partial declaration.</summary>
    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Error(
        "NG0105",
        "Layers split across partial declarations",
        "[{0}] is on another partial declaration than [Network]; expected every layer attribute on the declaration that carries [Network], where their order is defined",
        "The order of attributes is only defined within one declaration, so a network's layers must all be written on the declaration that carries [Network].");

    /// <summary>NG0106: a class with both a JSON path and layer attributes.</summary>
    public static readonly DiagnosticDescriptor MixedForms = Error(
        "NG0106",
        "Two descriptions for one network",
        "'{0}' names a description file in [Network(\"{1}\")] and also has layer attributes; expected one form: [Network(path)] alone, or [Network(input: n)] with layer attributes",
        "A network is described by a JSON file or by attributes, not both.");

    /// <summary>NG0107: layer attributes on a class without [Network].</summary>
    public static readonly DiagnosticDescriptor LayersWithoutNetwork = Error(
        "NG0107",
        "Layer attributes without [Network]",
        "'{0}' has layer attributes but no [Network(input: n)]; expected [Network(input: n)] before its first layer",
        "Layer attributes describe a network only on a class that carries [Network(input: n)].");

    /// <summary>NG0108: [Residual] and [EndResidual] do not pair up.</summary>
    public static readonly DiagnosticDescriptor UnbalancedResidual = Error(
        "NG0108",
        "Unbalanced residual block",
        "Expected {0}, found {1}",
        "[Residual] opens a block of layers that the matching [EndResidual] closes; blocks nest.");

    /// <summary>NG0109: a network asks for GPU layers but NetGen.Gpu is not referenced.</summary>
    public static readonly DiagnosticDescriptor GpuPackageMissing = new(
        "NG0109",
        "GPU layers without NetGen.Gpu",
        "Network '{0}' places layers on the GPU, but the project does not reference NetGen.Gpu: expected a reference to it for CreateGpuSession, found none (the CPU code is generated as usual)",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        "A description's \"gpu\" keys, or the attribute's Gpu settings, ask for a GPU session, which lives in the NetGen.Gpu package.");

    /// <summary>NG0110: the NetGenStrategy MSBuild property has a value NetGen does not know.</summary>
    public static readonly DiagnosticDescriptor InvalidStrategyProperty = Error(
        "NG0110",
        "Invalid NetGenStrategy property",
        "The MSBuild property NetGenStrategy: expected auto, unrolled, vectorized or kernel, found \"{0}\"",
        "NetGenStrategy forces one code generation strategy on every network of the project; a class's [Network(Strategy = ...)] still wins.");

    /// <summary>NG0111: the project compiles a C# older than the oldest NetGen writes.</summary>
    public static readonly DiagnosticDescriptor LanguageVersionTooOld = Error(
        "NG0111",
        "C# version too old for NetGen",
        "NetGen's generated code needs C# 9 or later, and this project compiles C# {0}: set <LangVersion>9</LangVersion> or later",
        "NetGen writes C# 12 where the project allows it, and C# 9 (what Unity compiles) otherwise; no older version has the target-typed new and native-sized integers the generated code uses.");

    /// <summary>NG0999: NetGen failed on input it should have handled: a defect to report.</summary>
    public static readonly DiagnosticDescriptor InternalError = Error(
        "NG0999",
        "NetGen internal error",
        "NetGen failed to compile this description ({0}); expected a diagnostic or generated code: please report this as a bug",
        "An unexpected failure inside the generator, caught so that the rest of the build goes on.");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = BuildIndex();

    public static DiagnosticDescriptor Get(string id) => ById[id];

    public static ImmutableArray<DiagnosticDescriptor> All => ById.Values.ToImmutableArray();

    private static Dictionary<string, DiagnosticDescriptor> BuildIndex()
    {
        var all = new[]
        {
            MalformedJson, UnsupportedFormat, UnknownKey, MissingKey, WrongType, UnknownOp, SizeMismatch,
            WrongShape, NonFiniteValue, InvalidName, DuplicateName, InvalidValue, WeightFileUnavailable,
            DuplicateKey, DuplicateMember, DescriptionNotFound, AmbiguousDescription, NotStaticPartialClass, InvalidNetworkPath,
            LayersSplitAcrossDeclarations, MixedForms, LayersWithoutNetwork, UnbalancedResidual, GpuPackageMissing, InvalidStrategyProperty,
            LanguageVersionTooOld, InternalError,
        };
        var index = new Dictionary<string, DiagnosticDescriptor>();
        foreach (var d in all)
        {
            index.Add(d.Id, d);
        }

        return index;
    }

    private static DiagnosticDescriptor Error(string id, string title, string message, string description) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description);
}
