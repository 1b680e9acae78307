//! Conformance cases served the way `mrtd emulate --case` and `mrtd conformance --reader` serve them —
//! the case's chip behind the vpcd bridge — and read through a fake vpcd driver on a local port (what
//! pcscd's vpcd driver does, without pcscd): the verdicts and the evidence are those of the in-process
//! run. (.ci/pcsc-e2e runs a sample through the real pcscd.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::transport::{Capabilities, Transport, TransportError};
use icao9303_emu::conformance::find;
use icao9303_emu::conformance::run::{judge, read};
use icao9303_emu::rng::SeededRng;
use icao9303_emu::vpcd::{Bridge, BridgeOptions};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The driver's side of vpcd: 2-byte length frames; power on, then APDUs.
struct Driver(TcpStream);

impl Driver {
    fn send(&mut self, body: &[u8]) {
        let mut frame = (body.len() as u16).to_be_bytes().to_vec();
        frame.extend_from_slice(body);
        self.0.write_all(&frame).unwrap();
    }

    fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        let mut len = [0u8; 2];
        self.0
            .read_exact(&mut len)
            .map_err(|e| TransportError::Io(e.to_string()))?;
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        self.0
            .read_exact(&mut body)
            .map_err(|e| TransportError::Io(e.to_string()))?;
        Ok(body)
    }
}

impl Transport for Driver {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.send(command);
        self.receive()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.send(&[0x02]);
        Ok(())
    }
}

#[test]
fn cases_over_the_vpcd_bridge_give_the_in_process_verdicts() {
    for id in [
        "P4.ISO7816_A_02",
        "P4.ISO7816_D_05",
        "P4.ISO7816_F_07",
        "P51.ISO7816_G_36",
        "P51.ISO7816_E_32",
        "P51.LDS_H_54",
    ] {
        let case = find(id).unwrap();
        let setup = case.build().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let mut bridge = Bridge::new(
            setup.chip,
            BridgeOptions {
                address,
                reconnect: false,
                ..BridgeOptions::default()
            },
        );
        let serving = std::thread::spawn(move || {
            bridge.run(&flag).unwrap();
            bridge.into_chip()
        });
        let (stream, _) = listener.accept().unwrap();
        let mut driver = Driver(stream);
        driver.send(&[0x01]); // power on
        let mut rng = SeededRng::new(id.as_bytes());
        let (reading, driver) = read(&setup.inspection_system, driver, &mut rng);
        stop.store(true, Ordering::SeqCst);
        let chip = serving.join().unwrap();
        drop(driver);
        let result = judge(&case, reading, Some(chip.stats()));
        assert!(
            result.passed(),
            "{id}: ours {}; evidence {:?}",
            result.reading.summary(),
            result.evidence
        );
    }
}
