namespace Households.Domain; public static class Marker {}
