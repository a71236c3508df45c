// The Open MPI engine behind Collective (declared without <mpi.h>, which only its .cpp includes).
#pragma once

#include <memory>

#include "keras/distribution/collective.h"

namespace keras::distribution::internal {

// True when this process was started by an MPI launcher (mpirun sets OMPI_COMM_WORLD_SIZE).
bool launched_by_mpi();

// Initializes MPI (finalized at exit) and returns the job's collective over MPI_COMM_WORLD. A
// call that waits more than timeout_seconds for the other processes prints which process waited
// in which call and aborts the whole job (MPI_Abort): a pending MPI request cannot be cancelled,
// so no exception could leave MPI usable.
std::unique_ptr<Collective> make_mpi_collective(double timeout_seconds);

}  // namespace keras::distribution::internal
