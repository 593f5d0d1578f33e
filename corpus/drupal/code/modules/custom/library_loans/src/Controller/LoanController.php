<?php

declare(strict_types=1);

namespace Drupal\library_loans\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\library_loans\LoanException;
use Drupal\library_loans\LoanManagerInterface;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpFoundation\RedirectResponse;
use Symfony\Component\HttpKernel\Exception\AccessDeniedHttpException;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Handles the checkout, return and renew links of the lending workflow.
 */
class LoanController extends ControllerBase {

  public function __construct(
    protected readonly LoanManagerInterface $loans,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static($container->get('library_loans.loan_manager'));
  }

  /**
   * Lends the book to the current user.
   */
  public function checkout(NodeInterface $node): RedirectResponse {
    if ($node->bundle() !== 'book' || !$node->isPublished()) {
      throw new NotFoundHttpException();
    }
    try {
      $loan = $this->loans->checkout((int) $node->id(), (int) $this->currentUser()->id());
      $this->messenger()->addStatus($this->t('You borrowed %book. Please bring it back by @date.', [
        '%book' => $node->label(),
        '@date' => date('j F Y', $loan->due),
      ]));
    }
    catch (LoanException $e) {
      $this->messenger()->addError($e->getMessage());
    }
    return $this->redirect('entity.node.canonical', ['node' => $node->id()]);
  }

  /**
   * Records that a book came back to the desk.
   */
  public function returnBook(int $loan_id): RedirectResponse {
    $loan = $this->loans->load($loan_id) ?? throw new NotFoundHttpException();
    $this->loans->checkIn($loan_id);
    $this->messenger()->addStatus($this->t('Loan @id was checked in.', ['@id' => $loan_id]));
    return $this->redirect('library_loans.borrower', ['user' => $loan->uid]);
  }

  /**
   * Extends one of the current user's loans.
   */
  public function renew(int $loan_id): RedirectResponse {
    $loan = $this->loans->load($loan_id) ?? throw new NotFoundHttpException();
    if ($loan->uid !== (int) $this->currentUser()->id() && !$this->currentUser()->hasPermission('manage library loans')) {
      throw new AccessDeniedHttpException();
    }
    try {
      $renewed = $this->loans->renew($loan_id);
      $this->messenger()->addStatus($this->t('Renewed until @date.', ['@date' => date('j F Y', $renewed->due)]));
    }
    catch (LoanException $e) {
      $this->messenger()->addWarning($e->getMessage());
    }
    return $this->redirect('library_loans.borrower', ['user' => $loan->uid]);
  }

}
