using NetGen;

namespace Digits;

/// <summary>The 64-32-16-10 digits classifier of Models/digits.netgen.json, compiled at build time.</summary>
[Network("Models/digits.netgen.json")]
public static partial class DigitsClassifier;
