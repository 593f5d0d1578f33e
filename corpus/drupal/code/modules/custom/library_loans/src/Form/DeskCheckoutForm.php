<?php

declare(strict_types=1);

namespace Drupal\library_loans\Form;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\library_loans\FineCalculator;
use Drupal\library_loans\LoanException;
use Drupal\library_loans\LoanManagerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lending desk form: scan a book's barcode and pick the borrower.
 */
class DeskCheckoutForm extends FormBase {

  public function __construct(
    protected readonly LoanManagerInterface $loans,
    protected readonly FineCalculator $fines,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('library_loans.loan_manager'),
      $container->get('library_loans.fine_calculator'),
      $container->get('entity_type.manager'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'library_loans_desk_checkout';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $form['barcode'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Book barcode'),
      '#required' => TRUE,
      '#attributes' => ['autofocus' => 'autofocus', 'autocomplete' => 'off'],
    ];
    $form['borrower'] = [
      '#type' => 'entity_autocomplete',
      '#title' => $this->t('Borrower'),
      '#target_type' => 'user',
      '#selection_settings' => ['include_anonymous' => FALSE],
      '#required' => TRUE,
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = ['#type' => 'submit', '#value' => $this->t('Check out')];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $barcode = strtoupper(trim((string) $form_state->getValue('barcode')));
    $books = $this->entityTypeManager->getStorage('node')->loadByProperties([
      'type' => 'book',
      'field_barcode' => $barcode,
    ]);
    if (!$books) {
      $form_state->setErrorByName('barcode', $this->t('No book has the barcode %barcode.', ['%barcode' => $barcode]));
      return;
    }
    $form_state->set('book', reset($books));

    $uid = (int) $form_state->getValue('borrower');
    $owed = $this->fines->total($this->loans->openLoansForBorrower($uid));
    if ($owed > 0) {
      $form_state->setErrorByName('borrower', $this->t('The borrower owes @amount in fines; settle them before lending more books.', [
        '@amount' => $this->fines->format($owed),
      ]));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $book = $form_state->get('book');
    try {
      $loan = $this->loans->checkout((int) $book->id(), (int) $form_state->getValue('borrower'));
      $this->messenger()->addStatus($this->t('%book is due back on @date.', [
        '%book' => $book->label(),
        '@date' => date('j F Y', $loan->due),
      ]));
    }
    catch (LoanException $e) {
      $this->messenger()->addError($e->getMessage());
      $form_state->setRebuild();
    }
  }

}
