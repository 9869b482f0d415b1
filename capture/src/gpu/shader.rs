//! The one GLES 3 program: for each view pixel, `Placement::view_to_screen` on the GPU,
//! a bilinear sample of the screen, and the cursor on top.

use glow::HasContext;

use crate::view::Placement;
use crate::{Error, Result};

/// A triangle covering the viewport, from the vertex index alone (no vertex buffer).
const VERTEX: &str = r"#version 300 es
void main() {
    vec2 corner = vec2(float((gl_VertexID & 1) << 2), float((gl_VertexID & 2) << 1));
    gl_Position = vec4(corner - 1.0, 0.0, 1.0);
}
";

/// Mirrors `Placement::view_to_screen` operation for operation, so the identity
/// placement lands on texel centres exactly. The bilinear filter is done by hand with
/// texelFetch: at a texel centre its weights are exactly 0 and 1 whatever the GPU's
/// filtering precision, and clamping to the screen rectangle keeps the neighbouring
/// framebuffer contents out.
const FRAGMENT: &str = r"#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D screen;
uniform highp sampler2D cursor;
uniform float target_height;
uniform bool top_first;         // the target's first row is its top (scanout buffers)
uniform vec2 viewport_origin;   // top-left, y down
uniform vec2 view_size;
uniform float focal;
uniform float eye_offset;
uniform mat3 rotation;
uniform vec2 screen_size;
uniform vec2 offset;
uniform float distance;
uniform bool curved;
uniform ivec4 source;           // the screen's rectangle in the texture
uniform bool cursor_shown;
uniform vec4 cursor_rect;       // top-left and size, in screen pixels
out vec4 colour;

const float EPSILON = 1.1920929e-7;

vec4 texel(ivec2 p) {
    return texelFetch(screen, clamp(p, ivec2(0), source.zw - 1) + source.xy, 0);
}

void main() {
    float row = top_first ? gl_FragCoord.y : target_height - gl_FragCoord.y;
    vec2 pixel = vec2(gl_FragCoord.x, row) - viewport_origin;
    vec3 ray = vec3(pixel.x - view_size.x / 2.0 + eye_offset, pixel.y - view_size.y / 2.0, focal);
    vec3 d = rotation * ray;
    vec2 uv;
    if (curved) {
        float horizontal = sqrt(d.x * d.x + d.z * d.z);
        if (horizontal <= EPSILON) { discard; }
        uv = vec2(atan(d.x, d.z) * distance, d.y * distance / horizontal);
    } else {
        if (d.z <= EPSILON) { discard; }
        float t = distance / d.z;
        uv = vec2(d.x * t, d.y * t);
    }
    vec2 s = uv - offset + screen_size / 2.0;
    // Missed pixels keep what is there: the cleared black, or another screen.
    if (any(lessThan(s, vec2(0.0))) || any(greaterThanEqual(s, screen_size))) {
        discard;
    }
    vec2 p = s - 0.5;
    vec2 base = floor(p);
    vec2 f = p - base;
    ivec2 i = ivec2(base);
    vec3 c = mix(mix(texel(i).rgb, texel(i + ivec2(1, 0)).rgb, f.x),
                 mix(texel(i + ivec2(0, 1)).rgb, texel(i + ivec2(1, 1)).rgb, f.x), f.y);
    if (cursor_shown) {
        vec2 q = s - cursor_rect.xy;
        if (all(greaterThanEqual(q, vec2(0.0))) && all(lessThan(q, cursor_rect.zw))) {
            vec4 k = texelFetch(cursor, ivec2(q), 0);   // premultiplied, as XFixes gives it
            c = k.rgb + (1.0 - k.a) * c;
        }
    }
    colour = vec4(c, 1.0);
}
";

/// The linked program and its uniforms.
pub struct Program {
    pub program: glow::Program,
    target_height: Option<glow::UniformLocation>,
    top_first: Option<glow::UniformLocation>,
    viewport_origin: Option<glow::UniformLocation>,
    view_size: Option<glow::UniformLocation>,
    focal: Option<glow::UniformLocation>,
    eye_offset: Option<glow::UniformLocation>,
    rotation: Option<glow::UniformLocation>,
    screen_size: Option<glow::UniformLocation>,
    offset: Option<glow::UniformLocation>,
    distance: Option<glow::UniformLocation>,
    curved: Option<glow::UniformLocation>,
    source: Option<glow::UniformLocation>,
    cursor_shown: Option<glow::UniformLocation>,
    cursor_rect: Option<glow::UniformLocation>,
}

/// Texture units of the screen and the cursor.
pub const SCREEN_UNIT: u32 = 0;
pub const CURSOR_UNIT: u32 = 1;

impl Program {
    pub fn new(gl: &glow::Context) -> Result<Program> {
        // SAFETY: plain GL calls on the current context.
        unsafe {
            let program = gl
                .create_program()
                .map_err(|e| Error::unsupported(format!("cannot create a GL program: {e}")))?;
            let mut shaders = Vec::new();
            for (kind, source) in [
                (glow::VERTEX_SHADER, VERTEX),
                (glow::FRAGMENT_SHADER, FRAGMENT),
            ] {
                let shader = gl
                    .create_shader(kind)
                    .map_err(|e| Error::unsupported(format!("cannot create a shader: {e}")))?;
                gl.shader_source(shader, source);
                gl.compile_shader(shader);
                if !gl.get_shader_compile_status(shader) {
                    let log = gl.get_shader_info_log(shader);
                    gl.delete_shader(shader);
                    gl.delete_program(program);
                    return Err(Error::unsupported(format!(
                        "the GL driver rejects the shader: {log}"
                    )));
                }
                gl.attach_shader(program, shader);
                shaders.push(shader);
            }
            gl.link_program(program);
            for shader in shaders {
                gl.detach_shader(program, shader);
                gl.delete_shader(shader);
            }
            if !gl.get_program_link_status(program) {
                let log = gl.get_program_info_log(program);
                gl.delete_program(program);
                return Err(Error::unsupported(format!(
                    "the GL driver cannot link the shaders: {log}"
                )));
            }
            let at = |name| gl.get_uniform_location(program, name);
            let this = Program {
                program,
                target_height: at("target_height"),
                top_first: at("top_first"),
                viewport_origin: at("viewport_origin"),
                view_size: at("view_size"),
                focal: at("focal"),
                eye_offset: at("eye_offset"),
                rotation: at("rotation"),
                screen_size: at("screen_size"),
                offset: at("offset"),
                distance: at("distance"),
                curved: at("curved"),
                source: at("source"),
                cursor_shown: at("cursor_shown"),
                cursor_rect: at("cursor_rect"),
            };
            gl.use_program(Some(program));
            gl.uniform_1_i32(at("screen").as_ref(), SCREEN_UNIT as i32);
            gl.uniform_1_i32(at("cursor").as_ref(), CURSOR_UNIT as i32);
            Ok(this)
        }
    }

    /// Sets what one view needs; the program must be in use.
    pub fn set_view(
        &self,
        gl: &glow::Context,
        target_height: u32,
        top_first: bool,
        origin: (u32, u32),
        p: &Placement,
    ) {
        let rows: Vec<f32> = p.rotation.iter().flatten().copied().collect();
        // SAFETY: uniform calls on the program in use.
        unsafe {
            gl.uniform_1_f32(self.target_height.as_ref(), target_height as f32);
            gl.uniform_1_i32(self.top_first.as_ref(), i32::from(top_first));
            gl.uniform_2_f32(
                self.viewport_origin.as_ref(),
                origin.0 as f32,
                origin.1 as f32,
            );
            gl.uniform_2_f32(
                self.view_size.as_ref(),
                p.view_size.0 as f32,
                p.view_size.1 as f32,
            );
            gl.uniform_1_f32(self.focal.as_ref(), p.focal_px);
            gl.uniform_1_f32(self.eye_offset.as_ref(), p.eye_offset_px);
            // Row-major, as Placement keeps it.
            gl.uniform_matrix_3_f32_slice(self.rotation.as_ref(), true, &rows);
            gl.uniform_2_f32(
                self.screen_size.as_ref(),
                p.screen_size.0 as f32,
                p.screen_size.1 as f32,
            );
            gl.uniform_2_f32(self.offset.as_ref(), p.offset_px.0, p.offset_px.1);
            gl.uniform_1_f32(self.distance.as_ref(), p.distance_px);
            gl.uniform_1_i32(self.curved.as_ref(), i32::from(p.curved));
        }
    }

    /// Sets the screen's rectangle in its texture.
    pub fn set_source(&self, gl: &glow::Context, rect: xrdisplay_model::Rect) {
        // SAFETY: a uniform call on the program in use.
        unsafe {
            gl.uniform_4_i32(
                self.source.as_ref(),
                rect.x,
                rect.y,
                rect.width as i32,
                rect.height as i32,
            );
        }
    }

    /// Shows the cursor image at `rect` (screen pixels: top-left, size), or hides it.
    pub fn set_cursor(&self, gl: &glow::Context, rect: Option<[f32; 4]>) {
        // SAFETY: uniform calls on the program in use.
        unsafe {
            gl.uniform_1_i32(self.cursor_shown.as_ref(), i32::from(rect.is_some()));
            if let Some([x, y, w, h]) = rect {
                gl.uniform_4_f32(self.cursor_rect.as_ref(), x, y, w, h);
            }
        }
    }
}
