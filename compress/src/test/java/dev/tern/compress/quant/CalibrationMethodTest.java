package dev.tern.compress.quant;

import dev.tern.compress.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CalibrationMethodTest {
    @Test
    void parsesTheLowerCaseNamesAndAnyCase() {
        assertEquals(CalibrationMethod.MINMAX, CalibrationMethod.parse("minmax"));
        assertEquals(CalibrationMethod.PERCENTILE, CalibrationMethod.parse("percentile"));
        assertEquals(CalibrationMethod.ENTROPY, CalibrationMethod.parse("entropy"));
        assertEquals(CalibrationMethod.MSE, CalibrationMethod.parse("mse"));
        assertEquals(CalibrationMethod.MSE, CalibrationMethod.parse(" MSE "));
        for (CalibrationMethod m : CalibrationMethod.values()) {
            assertEquals(m, CalibrationMethod.parse(m.id()));
        }
    }

    @Test
    void rejectsUnknownNamesListingTheValidOnes() {
        for (String bad : new String[] {"kl", "", "min-max", null}) {
            String msg = assertThrows(BadInputException.class, () -> CalibrationMethod.parse(bad)).getMessage();
            assertTrue(msg.contains("minmax, percentile, entropy, mse"), msg);
        }
        assertTrue(assertThrows(BadInputException.class, () -> CalibrationMethod.parse("kl")).getMessage().contains("'kl'"));
    }
}
